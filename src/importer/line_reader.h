// Bounded-memory line reader over a file descriptor. Internal to
// cnake_importer. Not thread-safe; one reader per descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace cnake::importer {

struct Line {
  std::string text;           // without the '\n'; empty when too_long
  std::uintmax_t length = 0;  // full length in bytes, without the '\n'
  bool too_long = false;      // length > the reader's limit; text was not kept
};

class LineReader {
 public:
  // Does not own `fd`. Lines longer than `max_line_bytes` are consumed
  // without being stored.
  LineReader(int fd, std::uintmax_t max_line_bytes);

  // The next line, nullopt at end of file (a final line without '\n' is
  // still a line), or IoError if read() fails.
  Result<std::optional<Line>> Next();

 private:
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  int fd_;
  std::uintmax_t max_line_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // unread data is buffer_[begin_, end_)
  std::size_t end_ = 0;
  bool eof_ = false;
};

}  // namespace cnake::importer
