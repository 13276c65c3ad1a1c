#include "server/gzip_bomb.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace cnake::server {
namespace {

// Inflates a gzip stream, returning the inflated size, or -1 on a zlib error
// (including a CRC or length mismatch in the trailer).
int64_t InflatedSize(const std::string& gz, bool* all_zero) {
  z_stream z{};
  inflateInit2(&z, 16 + 15);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out(1 << 20, '\1');
  int64_t total = 0;
  *all_zero = true;
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = out.size() - z.avail_out;
    for (size_t i = 0; i < produced; ++i) *all_zero = *all_zero && out[i] == 0;
    total += static_cast<int64_t>(produced);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? total : -1;
}

TEST(GzipBombTest, InflatesToTheRequestedSizeWithAValidTrailer) {
  for (uint64_t size : {0ull, 5ull, (3ull << 20) + 12345}) {
    GzipBomb bomb(size);
    std::string gz;
    ASSERT_TRUE(bomb.WriteTo([&](const char* p, size_t n) {
      gz.append(p, n);
      return true;
    }));
    EXPECT_EQ(gz.size(), bomb.compressed_size());
    bool all_zero = false;
    EXPECT_EQ(InflatedSize(gz, &all_zero), static_cast<int64_t>(size)) << size;
    EXPECT_TRUE(all_zero);
  }
}

TEST(GzipBombTest, IsAtLeastHundredsOfTimesSmaller) {
  GzipBomb bomb(256ull << 20);
  EXPECT_LT(bomb.compressed_size() * 500, bomb.inflated_size());
}

TEST(GzipBombTest, StopsWhenTheWriterFails) {
  GzipBomb bomb(8ull << 20);
  int calls = 0;
  EXPECT_FALSE(bomb.WriteTo([&](const char*, size_t) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace cnake::server
