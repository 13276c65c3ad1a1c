// libFuzzer target for the importer: the pure text helpers (docstring
// scanner, UTF-8/id/escape checks) and the JSONL import reader must accept
// any bytes, never read out of bounds, and keep their output contracts
// (importer.h: records are valid UTF-8 without NUL, ids valid and unique).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "importer/importer.h"
#include "importer/text_util.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Clean(std::string_view s) {
  return cnake::IsValidUtf8(s) && s.find('\0') == std::string_view::npos;
}

// The reader takes a path, so each input becomes one file (a fixed name per
// process: libFuzzer runs inputs one at a time).
void CheckJsonlReader(std::string_view input) {
  struct TempFile {
    std::filesystem::path path;
    ~TempFile() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  };
  static const TempFile temp{std::filesystem::temp_directory_path() /
                             ("cnake-importer-fuzz-" + std::to_string(getpid()) + ".jsonl")};
  const std::filesystem::path& file = temp.path;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
    Check(out.good());
  }
  cnake::ImportOptions options;
  options.max_file_bytes = 4096;  // also exercises the over-long-line path
  std::set<std::string> ids;
  const cnake::Status status = cnake::ReadJsonl(
      file, options,
      [&](cnake::ImportRecord&& r) {
        Check(Clean(r.id) && !cnake::importer::ValidateId(r.id));
        Check(ids.insert(r.id).second);
        Check(Clean(r.code) && !r.code.empty());
        if (r.description) Check(Clean(*r.description) && !r.description->empty());
        std::set<std::string> tags;
        for (const auto& t : r.tags) Check(Clean(t) && !t.empty() && tags.insert(t).second);
        if (r.metadata) Check(r.metadata->is_object());
        Check(cnake::IsValidUtf8(r.origin));
        return cnake::Status::Ok();
      },
      [&](cnake::ImportSkip&& skip) {
        // importer.h: printable UTF-8, control characters shown as escapes.
        for (const std::string& text : {skip.origin, skip.reason}) {
          Check(cnake::IsValidUtf8(text));
          for (const char c : text) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
        }
        Check(!skip.reason.empty());
        return cnake::Status::Ok();
      });
  Check(status.ok());  // the file is readable: every bad line is a skip
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const cnake::DocstringInfo info = cnake::ParseModuleDocstring(input);
  if (info.description) {
    Check(!info.description->empty());
    Check(cnake::importer::TrimAscii(*info.description) == *info.description);
    Check(info.description->find('\n') == std::string::npos);
  }
  for (std::size_t i = 0; i < info.tags.size(); ++i) {
    Check(!info.tags[i].empty());
    for (std::size_t j = 0; j < i; ++j) Check(info.tags[i] != info.tags[j]);
  }

  const bool valid = cnake::IsValidUtf8(input);
  const auto bad = cnake::importer::FindInvalidUtf8(input);
  Check(valid == !bad.has_value());
  if (bad) Check(*bad < size && cnake::IsValidUtf8(input.substr(0, *bad)));

  const std::string shown = cnake::importer::EscapeForDisplay(input);
  Check(cnake::IsValidUtf8(shown));
  for (const char c : shown) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);

  if (!cnake::importer::ValidateId(input)) Check(valid && !input.empty());

  CheckJsonlReader(input);
  return 0;
}
