// ReadJsonl: one record per JSON line. See importer.h for the rules.

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <system_error>
#include <unordered_map>
#include <variant>

#include "importer/importer.h"
#include "importer/line_reader.h"
#include "importer/source_file.h"
#include "importer/text_util.h"
#include "util/json_depth.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Deeper documents are rejected before parsing: metadata is later serialized
// recursively by the store, and nobody needs 200 levels of nesting.
constexpr int kMaxJsonDepth = 200;

// Either a record (origin not yet set) or why the line is skipped.
using LineOutcome = std::variant<ImportRecord, std::string>;

std::optional<std::string> CheckNoNul(const std::string& value, std::string_view field) {
  if (auto nul = value.find('\0'); nul != std::string::npos) {
    return fmt::format("\"{}\" contains a NUL character at byte offset {}", field, nul);
  }
  return std::nullopt;
}

// Fills record.tags from a "tags" value; returns why it is invalid, if so.
std::optional<std::string> ReadTags(const json& value, ImportRecord& record) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (auto problem = CheckNoNul(text, "tags")) return problem;
    importer::AppendTags(text, /*split_on_space=*/false, record.tags);
    return std::nullopt;
  }
  if (!value.is_array()) {
    return fmt::format("\"tags\" must be an array of strings or a comma-separated string, got {}",
                       value.type_name());
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return fmt::format("\"tags\" must hold only strings, but element {} is {}", i,
                         value[i].type_name());
    }
    const auto& tag = value[i].get_ref<const std::string&>();
    if (auto problem = CheckNoNul(tag, "tags")) return problem;
    const std::string_view trimmed = importer::TrimAscii(tag);
    if (!trimmed.empty() &&
        std::find(record.tags.begin(), record.tags.end(), trimmed) == record.tags.end()) {
      record.tags.emplace_back(trimmed);
    }
  }
  return std::nullopt;
}

// Validates the fields of one parsed object and builds its record.
LineOutcome RecordFromObject(json& object) {
  const auto id_it = object.find("id");
  if (id_it == object.end() || id_it->is_null()) return std::string("missing \"id\"");
  if (!id_it->is_string())
    return fmt::format("\"id\" must be a string, got {}", id_it->type_name());
  if (auto problem = importer::ValidateId(id_it->get_ref<const std::string&>())) return *problem;

  const auto code_it = object.find("code");
  if (code_it == object.end() || code_it->is_null()) return std::string("missing \"code\"");
  if (!code_it->is_string()) {
    return fmt::format("\"code\" must be a string, got {}", code_it->type_name());
  }
  auto& code = code_it->get_ref<std::string&>();
  if (auto problem = CheckNoNul(code, "code")) return *problem;
  if (importer::IsBlank(code)) return std::string("\"code\" is empty or only whitespace");
  if (auto bad = importer::FindInvalidUtf8(code)) {  // nlohmann validates; keep the contract local
    return fmt::format("\"code\" is not valid UTF-8 at byte offset {}", *bad);
  }

  ImportRecord record;
  const auto description_it = object.find("description");
  const auto tags_it = object.find("tags");
  if (description_it == object.end() || tags_it == object.end()) {
    DocstringInfo doc = ParseModuleDocstring(code);
    if (description_it == object.end()) record.description = std::move(doc.description);
    if (tags_it == object.end()) record.tags = std::move(doc.tags);
  }
  if (description_it != object.end() && !description_it->is_null()) {
    if (!description_it->is_string()) {
      return fmt::format("\"description\" must be a string or null, got {}",
                         description_it->type_name());
    }
    const auto& text = description_it->get_ref<const std::string&>();
    if (auto problem = CheckNoNul(text, "description")) return *problem;
    if (const std::string_view trimmed = importer::TrimAscii(text); !trimmed.empty()) {
      record.description = std::string(trimmed);
    }
  }
  if (tags_it != object.end()) {
    if (auto problem = ReadTags(*tags_it, record)) return *problem;
  }
  if (const auto metadata_it = object.find("metadata");
      metadata_it != object.end() && !metadata_it->is_null()) {
    if (!metadata_it->is_object()) {
      return fmt::format("\"metadata\" must be an object, got {}", metadata_it->type_name());
    }
    record.metadata = std::move(*metadata_it);
  }
  record.id = std::move(id_it->get_ref<std::string&>());
  record.code = std::move(code);
  return record;
}

LineOutcome ParseLine(std::string_view text) {
  if (auto bad = importer::FindInvalidUtf8(text)) {
    return fmt::format("the line is not valid UTF-8 (byte offset {} in the line)", *bad);
  }
  if (JsonNestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    return fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth);
  }
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at ...".
    std::string_view what = e.what();
    if (const auto close = what.find("] "); close != std::string_view::npos)
      what.remove_prefix(close + 2);
    // The message quotes the bytes last read ("last read: '...'"), which can
    // end inside a multi-byte character or hold control characters: escape it
    // to keep the contract that skip reasons are printable UTF-8 (found by
    // importer_fuzz; reproducer fuzz/corpus/importer/crash-partial-utf8).
    return fmt::format("invalid JSON: {}", importer::EscapeForDisplay(what));
  }
  if (!object.is_object()) return fmt::format("expected a JSON object, got {}", object.type_name());
  return RecordFromObject(object);
}

}  // namespace

Status ReadJsonl(const fs::path& file, const ImportOptions& options, const RecordSink& on_record,
                 const SkipSink& on_skip) {
  const std::string display = importer::DisplayPath(file);
  const importer::ScopedFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int error = errno;
    const std::string message =
        fmt::format("cannot import \"{}\": {}", display, importer::DescribeOpenError(file, error));
    return error == ENOENT ? NotFound(message) : IoError(message);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || S_ISDIR(info.st_mode)) {
    return InvalidArgument(fmt::format("cannot import \"{}\": not a file", display));
  }

  importer::LineReader reader(fd.get(), options.max_file_bytes);
  std::unordered_map<std::string, std::uintmax_t> first_line_of_id;
  for (std::uintmax_t line_number = 1;; ++line_number) {
    Result<std::optional<importer::Line>> next = reader.Next();
    if (!next.ok()) return next.status().WithContext(fmt::format("{}:{}", display, line_number));
    if (!next->has_value()) return Status::Ok();
    importer::Line& line = **next;
    const std::string origin = fmt::format("{}:{}", display, line_number);
    if (line.too_long) {
      CNAKE_RETURN_IF_ERROR(on_skip(ImportSkip{
          origin, importer::DescribeTooLarge("the line", line.length, options.max_file_bytes)}));
      continue;
    }
    std::string_view text = line.text;
    if (line_number == 1 && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (importer::IsBlank(text)) continue;

    LineOutcome outcome = ParseLine(text);
    if (auto* reason = std::get_if<std::string>(&outcome)) {
      CNAKE_RETURN_IF_ERROR(on_skip(ImportSkip{origin, std::move(*reason)}));
      continue;
    }
    auto& record = std::get<ImportRecord>(outcome);
    const auto [first, inserted] = first_line_of_id.emplace(record.id, line_number);
    if (!inserted) {
      CNAKE_RETURN_IF_ERROR(on_skip(
          ImportSkip{origin, fmt::format("duplicate id \"{}\": already imported from line {}",
                                         importer::EscapeForDisplay(record.id), first->second)}));
      continue;
    }
    record.origin = origin;
    CNAKE_RETURN_IF_ERROR(on_record(std::move(record)));
  }
}

}  // namespace cnake
