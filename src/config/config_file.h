// Reading a config file (JSON, TOML or YAML) into a flat list of entries.
//
// The three formats differ in how much type information they carry; the
// parsers keep what the format says (a TOML integer is kInt, a YAML plain
// scalar is untyped kText) and leave checking against the key table to the
// loader. Nested tables become dotted paths. Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cnake {

enum class FileFormat { kJson, kToml, kYaml };

// By extension, case-insensitive: .json, .toml, .yaml, .yml. Otherwise an
// error naming the path and the allowed extensions.
Result<FileFormat> FileFormatForPath(const std::string& path);

struct FileValue {
  enum class Kind {
    kNull,
    kBool,
    kInt,
    kFloat,
    kString,  // explicitly a string (JSON/TOML string, quoted YAML scalar)
    kText,    // untyped YAML plain scalar: interpreted by the key's type
    kArray,
    kTable,  // only reported for empty tables; others are flattened
    kOther,  // a TOML date/time
  };
  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  std::string text;  // kString, kText
  int line = 0;      // 1-based; 0 when the format does not say (JSON)
  int column = 0;

  // The value for a message: `"abc"`, `2.5`, `true`, `an array`, ... Never
  // call for a secret; use "(hidden)" instead.
  std::string Describe() const;
  // "a string", "an integer", "a table", ... for "is X, not Y" messages.
  const char* KindName() const;
};

struct FileEntry {
  std::string path;  // "processing.rate_limit.burst"
  FileValue value;
};

// Parses `text`, the content of the file `display_path` (used in messages).
// Entries come in document order. A syntax error yields kInvalidArgument
// "config file <path>:<line>:<column>: <parser message>"; the parser message
// is stripped of any quoted input so a secret near the error does not leak.
// The top level must be a table/object (an empty YAML document is fine).
Result<std::vector<FileEntry>> ParseConfigText(FileFormat format, std::string_view text,
                                               const std::string& display_path);

struct FileContents {
  std::string data;
  mode_t mode = 0;  // st_mode of the opened file
};

// Reads a regular file of at most `max_bytes`. `what` names the file in
// errors ("config file", "api key file"): "cannot read <what> <path>: <reason>".
// Relative paths are resolved against `base_dir` when it is not empty.
Result<FileContents> ReadSmallFile(const std::filesystem::path& path, const std::string& what,
                                   size_t max_bytes, const std::filesystem::path& base_dir = {});

}  // namespace cnake
