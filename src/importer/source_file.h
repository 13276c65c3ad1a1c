// Reading one source file for import. Internal to cnake_importer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "importer/importer.h"

namespace cnake::importer {

// Owns a file descriptor; closes it on destruction.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd();
  int get() const { return fd_; }

 private:
  int fd_;
};

// Either the code of a file or why it is skipped. Exactly one is set.
struct SourceFileContent {
  std::optional<std::string> code;  // BOM removed, otherwise byte-exact
  std::string skip_reason;
};

// Reads `path`, following symlinks, and checks it is importable: a readable
// regular file of at most `max_bytes` bytes, holding valid UTF-8 without NUL
// that is not blank. Never blocks on FIFOs. Every failure (including open
// errors) is a skip reason naming the problem; offsets count from the start
// of the file.
SourceFileContent ReadSourceFile(const std::filesystem::path& path, std::uintmax_t max_bytes);

// Why `code` (already BOM-stripped) cannot be imported, or nullopt. Offsets
// in the reason are `code` offsets plus `offset_base`.
std::optional<std::string> CheckCode(std::string_view code, std::size_t offset_base);

// Why opening `path` failed with `error` (an errno value), phrased for a
// skip: broken symlinks and symlink loops are named as such.
std::string DescribeOpenError(const std::filesystem::path& path, int error);

// The message for a file or line over the size limit.
std::string DescribeTooLarge(std::string_view what, std::uintmax_t size, std::uintmax_t limit);

// A record for `code` with description and tags from its module docstring.
ImportRecord MakeSourceRecord(std::string id, std::string code, std::string origin);

// `path` for messages: generic form, escaped by EscapeForDisplay.
std::string DisplayPath(const std::filesystem::path& path);

}  // namespace cnake::importer
