#include "importer/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace cnake::importer {

LineReader::LineReader(int fd, std::uintmax_t max_line_bytes)
    : fd_(fd), max_line_bytes_(max_line_bytes), buffer_(kChunkBytes) {}

Result<std::optional<Line>> LineReader::Next() {
  Line line;
  bool any = false;
  while (true) {
    if (begin_ == end_) {
      if (eof_) break;
      const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("read failed: " + std::generic_category().message(errno));
      if (n == 0) {
        eof_ = true;
        break;
      }
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    any = true;
    const char* start = buffer_.data() + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    const std::size_t chunk = newline ? static_cast<std::size_t>(newline - start) : end_ - begin_;
    line.length += chunk;
    if (!line.too_long && line.length > max_line_bytes_) {
      line.too_long = true;
      line.text = std::string();  // release the partial line
    }
    if (!line.too_long) line.text.append(start, chunk);
    begin_ += chunk;
    if (newline) {
      ++begin_;
      return std::optional<Line>(std::move(line));
    }
  }
  if (!any) return std::optional<Line>();
  return std::optional<Line>(std::move(line));
}

}  // namespace cnake::importer
