// A gzip stream that inflates to `size` zero bytes but is about 1000 times
// smaller, produced piecewise so a multi-GiB bomb is never held in memory.
//
// One block of zeros is deflated once with a full flush (so it references no
// earlier data and ends byte-aligned) and repeated; the CRC-32 is combined
// arithmetically. Thread-safe: pieces are immutable after construction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cnake::server {

class GzipBomb {
 public:
  // Shared instance per size (computing one costs a few ms).
  static std::shared_ptr<const GzipBomb> ForSize(uint64_t inflated_size);

  explicit GzipBomb(uint64_t inflated_size);
  uint64_t compressed_size() const;
  uint64_t inflated_size() const { return inflated_size_; }
  // Calls `write` with consecutive pieces; stops and returns false as soon as
  // `write` does.
  bool WriteTo(const std::function<bool(const char*, size_t)>& write) const;

 private:
  uint64_t inflated_size_;
  std::string header_;
  std::string block_;  // deflated kBlock zero bytes, full flush
  uint64_t block_count_ = 0;
  std::string remainder_;  // deflated tail shorter than kBlock
  std::string trailer_;    // final empty block, CRC-32, ISIZE
};

}  // namespace cnake::server
