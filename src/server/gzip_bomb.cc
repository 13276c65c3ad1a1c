#include "server/gzip_bomb.h"

#include <zlib.h>

#include <map>
#include <mutex>
#include <vector>

namespace cnake::server {
namespace {

constexpr uint64_t kBlock = 1 << 20;

// Raw deflate of `n` zero bytes ending with Z_FULL_FLUSH (not final).
std::string DeflateZeros(uint64_t n) {
  if (n == 0) return std::string();
  std::vector<unsigned char> zeros(n, 0);
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, n) + 64, '\0');
  z.next_in = zeros.data();
  z.avail_in = static_cast<uInt>(n);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FULL_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

void AppendLe32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::shared_ptr<const GzipBomb> GzipBomb::ForSize(uint64_t inflated_size) {
  static std::mutex mu;
  static std::map<uint64_t, std::shared_ptr<const GzipBomb>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[inflated_size];
  if (!slot) slot = std::make_shared<const GzipBomb>(inflated_size);
  return slot;
}

GzipBomb::GzipBomb(uint64_t inflated_size) : inflated_size_(inflated_size) {
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=unix
  header_ = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  block_count_ = inflated_size / kBlock;
  const uint64_t tail = inflated_size % kBlock;
  if (block_count_ > 0) block_ = DeflateZeros(kBlock);
  remainder_ = DeflateZeros(tail);

  std::vector<unsigned char> zeros(kBlock, 0);
  const uLong block_crc = crc32(0, zeros.data(), static_cast<uInt>(kBlock));
  uLong crc = crc32(0, nullptr, 0);
  for (uint64_t i = 0; i < block_count_; ++i) crc = crc32_combine(crc, block_crc, kBlock);
  crc = crc32_combine(crc, crc32(0, zeros.data(), static_cast<uInt>(tail)),
                      static_cast<z_off_t>(tail));

  trailer_ = std::string("\x03\x00", 2);  // final fixed-Huffman block, end-of-block only
  AppendLe32(&trailer_, static_cast<uint32_t>(crc));
  AppendLe32(&trailer_, static_cast<uint32_t>(inflated_size & 0xffffffffu));
}

uint64_t GzipBomb::compressed_size() const {
  return header_.size() + block_count_ * block_.size() + remainder_.size() + trailer_.size();
}

bool GzipBomb::WriteTo(const std::function<bool(const char*, size_t)>& write) const {
  if (!write(header_.data(), header_.size())) return false;
  // Batch blocks into ~64 KiB writes.
  std::string batch;
  const size_t per_batch = block_.empty() ? 1 : std::max<size_t>(1, 65536 / block_.size());
  for (uint64_t i = 0; i < block_count_;) {
    batch.clear();
    for (size_t j = 0; j < per_batch && i < block_count_; ++j, ++i) batch += block_;
    if (!write(batch.data(), batch.size())) return false;
  }
  if (!remainder_.empty() && !write(remainder_.data(), remainder_.size())) return false;
  return write(trailer_.data(), trailer_.size());
}

}  // namespace cnake::server
