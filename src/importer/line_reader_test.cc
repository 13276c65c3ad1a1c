#include "importer/line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "importer/source_file.h"
#include "importer/test_support.h"

namespace cnake::importer {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::vector<Line> ReadAll(const std::string& content, std::uintmax_t limit) {
  TempDir dir;
  const auto path = dir.path() / "lines";
  WriteFile(path, content);
  const ScopedFd fd(::open(path.c_str(), O_RDONLY));
  EXPECT_GE(fd.get(), 0);
  LineReader reader(fd.get(), limit);
  std::vector<Line> lines;
  while (true) {
    auto next = reader.Next();
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !next->has_value()) break;
    lines.push_back(std::move(**next));
  }
  return lines;
}

TEST(LineReader, SplitsOnNewlineAndKeepsFinalUnterminatedLine) {
  std::vector<Line> lines = ReadAll("a\n\nbc\r\nlast", 100);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "bc\r");
  EXPECT_EQ(lines[3].text, "last");
  EXPECT_TRUE(ReadAll("", 100).empty());
  EXPECT_EQ(ReadAll("x\n", 100).size(), 1u);
}

TEST(LineReader, LongLinesAcrossChunksAreMeasuredNotStored) {
  // Longer than the 64 KiB read chunk so the line spans several reads.
  const std::string long_line(200 * 1024, 'y');
  std::vector<Line> lines = ReadAll("ok\n" + long_line + "\nafter\n" + std::string(10, 'z'), 10);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_FALSE(lines[0].too_long);
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].length, long_line.size());
  EXPECT_TRUE(lines[1].text.empty());
  EXPECT_EQ(lines[2].text, "after");
  EXPECT_FALSE(lines[3].too_long);  // exactly at the limit
  EXPECT_EQ(lines[3].text, std::string(10, 'z'));

  std::vector<Line> big = ReadAll(long_line + "\n", long_line.size());
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].text, long_line);
}

}  // namespace
}  // namespace cnake::importer
