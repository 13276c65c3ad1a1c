#include "importer/text_util.h"

#include <fmt/format.h>

#include <algorithm>

#include "importer/importer.h"

namespace cnake::importer {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is
// ill-formed. Follows Table 3-7 of the Unicode standard, which is exactly the
// set of sequences that are neither overlong, surrogates nor above U+10FFFF.
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  const std::size_t left = s.size() - i;
  if (b0 < 0x80) return 1;
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < left && byte(i + k) >= lo && byte(i + k) <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0) lo = 0xA0;  // overlong below U+0800
    if (b0 == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 == 0xF0) lo = 0x90;  // overlong below U+10000
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::optional<std::size_t> FindInvalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Fast path over ASCII, which is nearly all source code.
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = SequenceLength(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string EscapeForDisplay(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = SequenceLength(s, i);
    if (n == 0 || b < 0x20 || b == 0x7F) {
      out += fmt::format("\\x{:02x}", b);
      ++i;
    } else if (n == 2 && b == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));  // C1 control
      i += 2;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::optional<std::string> ValidateId(std::string_view id) {
  if (id.empty()) return "the id is empty";
  if (auto bad = FindInvalidUtf8(id)) {
    return fmt::format("the id \"{}\" is not valid UTF-8 (byte offset {})", EscapeForDisplay(id),
                       *bad);
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    const auto b = static_cast<unsigned char>(id[i]);
    const bool c1 = b == 0xC2 && i + 1 < id.size() && static_cast<unsigned char>(id[i + 1]) < 0xA0;
    if (b < 0x20 || b == 0x7F || c1) {
      return fmt::format("the id \"{}\" contains a control character at byte offset {}",
                         EscapeForDisplay(id), i);
    }
  }
  return std::nullopt;
}

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsAsciiSpace); }

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

void AppendTags(std::string_view text, bool split_on_space, std::vector<std::string>& tags) {
  const auto is_separator = [&](char c) { return c == ',' || (split_on_space && IsAsciiSpace(c)); };
  while (!text.empty()) {
    std::size_t end = 0;
    while (end < text.size() && !is_separator(text[end])) ++end;
    const std::string_view tag = TrimAscii(text.substr(0, end));
    text.remove_prefix(end < text.size() ? end + 1 : end);
    if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) {
      tags.emplace_back(tag);
    }
  }
}

std::string FormatBytes(std::uintmax_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (bytes >= 1024 * 1024)
    return fmt::format("{} bytes ({:.1f} MiB)", bytes, value / (1024.0 * 1024.0));
  if (bytes >= 1024) return fmt::format("{} bytes ({:.1f} KiB)", bytes, value / 1024.0);
  return fmt::format("{} bytes", bytes);
}

}  // namespace cnake::importer

namespace cnake {

bool IsValidUtf8(std::string_view s) { return !importer::FindInvalidUtf8(s).has_value(); }

}  // namespace cnake
