#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "importer/importer.h"
#include "importer/test_support.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using importer::testing::Collector;
using importer::testing::TempDir;
using importer::testing::WriteFile;
using ::testing::HasSubstr;

class ImportSourceTest : public ::testing::Test {
 protected:
  Status Read(const fs::path& path, const ImportOptions& options = {}) {
    return ReadImportSource(path, options, sink_.OnRecord(), sink_.OnSkip());
  }
  TempDir dir_;
  Collector sink_;
};

TEST_F(ImportSourceTest, DirectoryIsWalked) {
  WriteFile(dir_.path() / "tree/a/b.pyx", "x = 1\n");
  ASSERT_TRUE(Read(dir_.path() / "tree").ok());
  EXPECT_EQ(sink_.Ids(), std::vector<std::string>{"a/b"});
}

TEST_F(ImportSourceTest, JsonlAndNdjsonInAnyCase) {
  for (const char* name : {"d.jsonl", "d.NDJSON"}) {
    WriteFile(dir_.path() / name, "{\"id\": \"j\", \"code\": \"x\"}\n");
    Collector sink;
    ASSERT_TRUE(ReadImportSource(dir_.path() / name, {}, sink.OnRecord(), sink.OnSkip()).ok());
    EXPECT_EQ(sink.Ids(), std::vector<std::string>{"j"}) << name;
  }
}

TEST_F(ImportSourceTest, SingleSourceFileUsesItsStemAsId) {
  WriteFile(dir_.path() / "sub/vector ops.pyx", "\"\"\"Vectors.\"\"\"\n");
  ASSERT_TRUE(Read(dir_.path() / "sub/vector ops.pyx").ok());
  ASSERT_EQ(sink_.records.size(), 1u);
  EXPECT_EQ(sink_.records[0].id, "vector ops");
  EXPECT_EQ(sink_.records[0].description, "Vectors.");

  WriteFile(dir_.path() / "decl.pxd", "cdef int x\n");
  ASSERT_TRUE(Read(dir_.path() / "decl.pxd").ok());
  EXPECT_EQ(sink_.records.back().id, "decl");
}

TEST_F(ImportSourceTest, SingleBadFileIsASkipNotAnError) {
  WriteFile(dir_.path() / "bad.pyx", "\xC0\xAF");
  ASSERT_TRUE(Read(dir_.path() / "bad.pyx").ok());
  EXPECT_TRUE(sink_.records.empty());
  ASSERT_EQ(sink_.skips.size(), 1u);
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("UTF-8"));
  EXPECT_THAT(sink_.skips[0].reason, HasSubstr("byte offset 0"));
}

TEST_F(ImportSourceTest, UnsupportedOrMissingPathsAreErrorsNamingThePath) {
  WriteFile(dir_.path() / "notes.txt", "hello");
  Status unsupported = Read(dir_.path() / "notes.txt");
  EXPECT_EQ(unsupported.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unsupported.message(), HasSubstr("notes.txt"));
  EXPECT_THAT(unsupported.message(), HasSubstr(".jsonl"));
  EXPECT_THAT(unsupported.message(), HasSubstr(".pyx/.pxd"));

  Status missing = Read(dir_.path() / "missing");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("missing"));

  fs::create_symlink("gone", dir_.path() / "dangling.pyx");
  Status dangling = Read(dir_.path() / "dangling.pyx");
  EXPECT_EQ(dangling.code(), StatusCode::kNotFound);
  EXPECT_THAT(dangling.message(), HasSubstr("broken symlink"));
}

// The bundled samples are the seed data: every file must import cleanly.
TEST(BundledSamples, ImportWithZeroSkips) {
  const fs::path samples = fs::path(CNAKE_SOURCE_DIR) / "samples" / "cython";
  if (!fs::is_directory(samples)) GTEST_SKIP() << samples << " is not there yet";
  Collector sink;
  ASSERT_TRUE(ReadImportSource(samples, {}, sink.OnRecord(), sink.OnSkip()).ok());
  EXPECT_TRUE(sink.skips.empty()) << sink.SkipText();
  ASSERT_FALSE(sink.records.empty());
  std::set<std::string> ids;
  for (const ImportRecord& r : sink.records) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_TRUE(r.description.has_value()) << r.origin << " has no module docstring";
    EXPECT_TRUE(IsValidUtf8(r.code));
  }
  // The id form the rest of the tool relies on: relative path, no extension.
  EXPECT_TRUE(ids.count("math/fibonacci")) << "expected math/fibonacci among the samples";
}

}  // namespace
}  // namespace cnake
