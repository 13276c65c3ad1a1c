#include "config/value.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace cnake {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kSecret:
      return "string";
    case ValueType::kInt:
      return "integer";
    case ValueType::kDouble:
      return "number";
    case ValueType::kBool:
      return "boolean";
  }
  return "?";
}

Result<Value> ParseValueText(ValueType type, std::string_view text) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  switch (type) {
    case ValueType::kString:
    case ValueType::kSecret:
      return Value(std::string(text));
    case ValueType::kInt: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(begin, end, v);
      if (ec == std::errc::result_out_of_range) return InvalidArgument("is out of range");
      if (text.empty() || ec != std::errc() || ptr != end)
        return InvalidArgument("is not an integer");
      return Value(v);
    }
    case ValueType::kDouble: {
      double v = 0;
      auto [ptr, ec] = std::from_chars(begin, end, v);
      if (ec == std::errc::result_out_of_range) return InvalidArgument("is out of range");
      if (text.empty() || ec != std::errc() || ptr != end)
        return InvalidArgument("is not a number");
      if (!std::isfinite(v)) return InvalidArgument("is not a finite number");
      return Value(v);
    }
    case ValueType::kBool:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      return InvalidArgument("is not a boolean (true or false)");
  }
  return InvalidArgument("has an unsupported type");
}

std::string FormatValue(ValueType type, const Value& value) {
  if (type == ValueType::kSecret) return "***";
  if (const auto* s = std::get_if<std::string>(&value)) return "\"" + Escape(*s) + "\"";
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return std::get<bool>(value) ? "true" : "false";
}

std::string QuoteForMessage(std::string_view text, size_t max_chars) {
  if (text.size() > max_chars) return "\"" + Escape(text.substr(0, max_chars)) + "...\"";
  return "\"" + Escape(text) + "\"";
}

}  // namespace cnake
