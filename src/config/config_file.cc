#include "config/config_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

namespace cnake {
namespace {

using Kind = FileValue::Kind;

std::string Join(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

Status SyntaxError(const std::string& path, int line, int column, std::string_view message) {
  if (line > 0) {
    return InvalidArgument(
        fmt::format("config file {}:{}:{}: syntax error: {}", path, line, column, message));
  }
  return InvalidArgument(fmt::format("config file {}: syntax error: {}", path, message));
}

// --- JSON ---

void FlattenJson(const nlohmann::ordered_json& node, const std::string& prefix,
                 std::vector<FileEntry>& out) {
  using Type = nlohmann::ordered_json::value_t;
  FileValue v;
  switch (node.type()) {
    case Type::object:
      if (node.empty() && !prefix.empty()) {
        v.kind = Kind::kTable;
        break;
      }
      for (const auto& [key, child] : node.items()) FlattenJson(child, Join(prefix, key), out);
      return;
    case Type::array:
      v.kind = Kind::kArray;
      break;
    case Type::string:
      v.kind = Kind::kString;
      v.text = node.get<std::string>();
      break;
    case Type::boolean:
      v.kind = Kind::kBool;
      v.bool_value = node.get<bool>();
      break;
    case Type::number_integer:
      v.kind = Kind::kInt;
      v.int_value = node.get<int64_t>();
      break;
    case Type::number_unsigned: {
      const auto u = node.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        v.kind = Kind::kInt;
        v.int_value = static_cast<int64_t>(u);
      } else {
        v.kind = Kind::kFloat;
        v.float_value = static_cast<double>(u);
      }
      break;
    }
    case Type::number_float:
      v.kind = Kind::kFloat;
      v.float_value = node.get<double>();
      break;
    default:
      v.kind = Kind::kNull;
      break;
  }
  out.push_back({prefix, std::move(v)});
}

// nlohmann messages look like "[json.exception.parse_error.101] parse error at
// line 3, column 5: syntax error while parsing value - invalid literal; last
// read: '<input>'; expected ...". Keep the reason, drop the echoed input.
std::string CleanJsonMessage(std::string message) {
  const size_t colon = message.find(": ");
  if (message.rfind("[json.exception", 0) == 0 && colon != std::string::npos) {
    message.erase(0, colon + 2);
  }
  const size_t last_read = message.find("; last read: ");
  if (last_read != std::string::npos) {
    const size_t expected = message.find("; expected ", last_read);
    message.erase(last_read,
                  expected == std::string::npos ? std::string::npos : expected - last_read);
  }
  return message;
}

Result<std::vector<FileEntry>> ParseJson(std::string_view text, const std::string& path) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/true,
                                        /*ignore_comments=*/true);
  } catch (const nlohmann::ordered_json::parse_error& e) {
    // e.byte is the 1-based offset of the offending character.
    int line = 1, column = 0;
    const size_t end = std::min<size_t>(e.byte, text.size());
    for (size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 0;
      } else {
        ++column;
      }
    }
    return SyntaxError(path, line, std::max(column, 1), CleanJsonMessage(e.what()));
  }
  if (!doc.is_object()) {
    return InvalidArgument(fmt::format("config file {}: the top level must be an object", path));
  }
  std::vector<FileEntry> out;
  FlattenJson(doc, "", out);
  return out;
}

// --- TOML ---

void FlattenToml(const toml::node& node, const std::string& prefix, std::vector<FileEntry>& out) {
  FileValue v;
  v.line = static_cast<int>(node.source().begin.line);
  v.column = static_cast<int>(node.source().begin.column);
  switch (node.type()) {
    case toml::node_type::table: {
      const toml::table& table = *node.as_table();
      if (table.empty() && !prefix.empty()) {
        v.kind = Kind::kTable;
        break;
      }
      for (const auto& [key, child] : table) FlattenToml(child, Join(prefix, key.str()), out);
      return;
    }
    case toml::node_type::array:
      v.kind = Kind::kArray;
      break;
    case toml::node_type::string:
      v.kind = Kind::kString;
      v.text = node.as_string()->get();
      break;
    case toml::node_type::integer:
      v.kind = Kind::kInt;
      v.int_value = node.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      v.kind = Kind::kFloat;
      v.float_value = node.as_floating_point()->get();
      break;
    case toml::node_type::boolean:
      v.kind = Kind::kBool;
      v.bool_value = node.as_boolean()->get();
      break;
    default:
      v.kind = Kind::kOther;
      break;
  }
  out.push_back({prefix, std::move(v)});
}

Result<std::vector<FileEntry>> ParseToml(std::string_view text, const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return SyntaxError(path, static_cast<int>(e.source().begin.line),
                       static_cast<int>(e.source().begin.column), e.description());
  }
  std::vector<FileEntry> out;
  FlattenToml(doc, "", out);
  // toml++ tables are ordered by key; report in document order instead.
  std::stable_sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) {
    return std::tie(a.value.line, a.value.column) < std::tie(b.value.line, b.value.column);
  });
  return out;
}

// --- YAML ---

Status FlattenYaml(const YAML::Node& node, const std::string& prefix, const std::string& path,
                   std::vector<FileEntry>& out) {
  FileValue v;
  v.line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
  v.column = node.Mark().is_null() ? 0 : node.Mark().column + 1;
  switch (node.Type()) {
    case YAML::NodeType::Map:
      if (node.size() == 0 && !prefix.empty()) {
        v.kind = Kind::kTable;
        break;
      }
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
          return SyntaxError(path, it->first.Mark().line + 1, it->first.Mark().column + 1,
                             "a key must be a plain string");
        }
        CNAKE_RETURN_IF_ERROR(FlattenYaml(it->second, Join(prefix, it->first.Scalar()), path, out));
      }
      return Status::Ok();
    case YAML::NodeType::Sequence:
      v.kind = Kind::kArray;
      break;
    case YAML::NodeType::Scalar: {
      // Quoted scalars get the non-specific tag "!"; plain ones "?".
      const std::string& tag = node.Tag();
      v.kind = (tag == "!" || tag == "tag:yaml.org,2002:str") ? Kind::kString : Kind::kText;
      v.text = node.Scalar();
      break;
    }
    default:
      v.kind = Kind::kNull;
      break;
  }
  out.push_back({prefix, std::move(v)});
  return Status::Ok();
}

Result<std::vector<FileEntry>> ParseYaml(std::string_view text, const std::string& path) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const bool has_mark = !e.mark.is_null();
    return SyntaxError(path, has_mark ? e.mark.line + 1 : 0, has_mark ? e.mark.column + 1 : 0,
                       e.msg);
  }
  std::vector<FileEntry> out;
  if (doc.IsNull()) return out;  // an empty document: all defaults
  if (!doc.IsMap()) {
    return InvalidArgument(fmt::format("config file {}: the top level must be a mapping", path));
  }
  CNAKE_RETURN_IF_ERROR(FlattenYaml(doc, "", path, out));
  return out;
}

std::string LowerExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

Result<FileFormat> FileFormatForPath(const std::string& path) {
  const std::string ext = LowerExtension(path);
  if (ext == ".json") return FileFormat::kJson;
  if (ext == ".toml") return FileFormat::kToml;
  if (ext == ".yaml" || ext == ".yml") return FileFormat::kYaml;
  return InvalidArgument(fmt::format(
      "config file {}: unsupported extension '{}'; allowed: .json, .toml, .yaml, .yml", path, ext));
}

Result<std::vector<FileEntry>> ParseConfigText(FileFormat format, std::string_view text,
                                               const std::string& display_path) {
  switch (format) {
    case FileFormat::kJson:
      return ParseJson(text, display_path);
    case FileFormat::kToml:
      return ParseToml(text, display_path);
    case FileFormat::kYaml:
      return ParseYaml(text, display_path);
  }
  return InternalError("unknown config file format");
}

const char* FileValue::KindName() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "a boolean";
    case Kind::kInt:
      return "an integer";
    case Kind::kFloat:
      return "a number";
    case Kind::kString:
    case Kind::kText:
      return "a string";
    case Kind::kArray:
      return "an array";
    case Kind::kTable:
      return "a table";
    case Kind::kOther:
      return "a date/time";
  }
  return "?";
}

std::string FileValue::Describe() const {
  switch (kind) {
    case Kind::kBool:
      return bool_value ? "true" : "false";
    case Kind::kInt:
      return std::to_string(int_value);
    case Kind::kFloat:
      return fmt::format("{}", float_value);
    case Kind::kString:
    case Kind::kText: {
      std::string quoted = "\"";
      for (char c : text.substr(0, 80)) {
        quoted += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
      }
      return quoted + (text.size() > 80 ? "...\"" : "\"");
    }
    default:
      return KindName();
  }
}

Result<FileContents> ReadSmallFile(const std::filesystem::path& path, const std::string& what,
                                   size_t max_bytes, const std::filesystem::path& base_dir) {
  const std::filesystem::path full =
      (path.is_relative() && !base_dir.empty()) ? base_dir / path : path;
  auto fail = [&](std::string_view reason) {
    return InvalidArgument(fmt::format("cannot read {} {}: {}", what, path.string(), reason));
  };
  const int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return fail(std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail("is a directory");
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return fail(fmt::format("larger than {} bytes", max_bytes));
  }
  FileContents contents;
  contents.mode = st.st_mode;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(std::strerror(errno));
    }
    if (n == 0) break;
    contents.data.append(buffer, static_cast<size_t>(n));
    if (contents.data.size() > max_bytes)
      return fail(fmt::format("larger than {} bytes", max_bytes));
  }
  return contents;
}

}  // namespace cnake
