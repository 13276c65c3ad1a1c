#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "importer/importer.h"
#include "importer/test_support.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using importer::testing::Collector;
using importer::testing::TempDir;
using importer::testing::WriteFile;
using ::testing::HasSubstr;
using Tags = std::vector<std::string>;

class JsonlReaderTest : public ::testing::Test {
 protected:
  Status Read(std::string_view content, const ImportOptions& options = {}) {
    WriteFile(file_, content);
    return ReadJsonl(file_, options, sink_.OnRecord(), sink_.OnSkip());
  }
  // The reason of the skip for line `n`, or "" if the line was not skipped.
  std::string ReasonForLine(int n) const {
    const std::string origin = file_.generic_string() + ":" + std::to_string(n);
    for (const ImportSkip& s : sink_.skips) {
      if (s.origin == origin) return s.reason;
    }
    return "";
  }

  TempDir dir_;
  fs::path file_ = dir_.path() / "data.jsonl";
  Collector sink_;
};

TEST_F(JsonlReaderTest, ReadsAllFieldsAndOrigins) {
  ASSERT_TRUE(
      Read(
          R"({"id": "math/add", "code": "cdef int x = 1\n", "description": " Adds. ", "tags": ["math", " add ", "", "math"], "metadata": {"source": "hand", "n": 3}, "extra": true})"
          "\n\n   \n"
          R"({"id": "数学 helper", "code": "y = 2", "tags": "a, b c ,a"})"
          "\n")
          .ok());
  EXPECT_TRUE(sink_.skips.empty()) << sink_.SkipText();
  ASSERT_EQ(sink_.records.size(), 2u);
  const ImportRecord& first = sink_.records[0];
  EXPECT_EQ(first.id, "math/add");
  EXPECT_EQ(first.code, "cdef int x = 1\n");
  EXPECT_EQ(first.description, "Adds.");
  EXPECT_EQ(first.tags, (Tags{"math", "add"}));
  ASSERT_TRUE(first.metadata.has_value());
  EXPECT_EQ((*first.metadata)["n"], 3);
  EXPECT_EQ(first.origin, file_.generic_string() + ":1");
  const ImportRecord& second = sink_.records[1];
  EXPECT_EQ(second.id, "数学 helper");
  EXPECT_EQ(second.tags, (Tags{"a", "b c"}));  // a string is split on commas only
  EXPECT_FALSE(second.metadata.has_value());
  EXPECT_EQ(second.origin, file_.generic_string() + ":4");  // blank lines still count
}

TEST_F(JsonlReaderTest, AbsentDescriptionAndTagsComeFromTheDocstringButNullMeansNone) {
  ASSERT_TRUE(
      Read(
          R"({"id": "a", "code": "\"\"\"Doc line.\nKeywords: k1, k2\n\"\"\"\nx = 1\n"})"
          "\n"
          R"({"id": "b", "code": "\"\"\"Doc line.\nKeywords: k1\n\"\"\"\n", "description": null, "tags": null, "metadata": null})"
          "\n"
          R"({"id": "c", "code": "\"\"\"Doc line.\nKeywords: k1\n\"\"\"\n", "tags": []})"
          "\n")
          .ok());
  ASSERT_EQ(sink_.records.size(), 3u) << sink_.SkipText();
  EXPECT_EQ(sink_.records[0].description, "Doc line.");
  EXPECT_EQ(sink_.records[0].tags, (Tags{"k1", "k2"}));
  EXPECT_EQ(sink_.records[1].description, std::nullopt);
  EXPECT_TRUE(sink_.records[1].tags.empty());
  EXPECT_FALSE(sink_.records[1].metadata.has_value());
  EXPECT_EQ(sink_.records[2].description, "Doc line.");
  EXPECT_TRUE(sink_.records[2].tags.empty());
}

TEST_F(JsonlReaderTest, EveryKindOfBadLineIsSkippedWithLineNumberAndReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"id": "a", "code": )", "invalid JSON"},
      {R"([1, 2])", "expected a JSON object, got array"},
      {R"("just a string")", "expected a JSON object, got string"},
      {R"({"code": "x = 1"})", "missing \"id\""},
      {R"({"id": null, "code": "x = 1"})", "missing \"id\""},
      {R"({"id": "", "code": "x = 1"})", "empty"},
      {R"({"id": 7, "code": "x = 1"})", "\"id\" must be a string, got number"},
      {R"({"id": "ctl\u0001", "code": "x = 1"})", "control character"},
      {R"({"id": "nul\u0000", "code": "x = 1"})", "control character"},
      {R"({"id": "c1"})", "missing \"code\""},
      {R"({"id": "c2", "code": 12})", "\"code\" must be a string, got number"},
      {R"({"id": "c3", "code": ["x"]})", "\"code\" must be a string, got array"},
      {R"({"id": "c4", "code": "  \n "})", "\"code\" is empty or only whitespace"},
      {R"({"id": "c5", "code": "x\u0000y"})", "\"code\" contains a NUL character at byte offset 1"},
      {R"({"id": "d1", "code": "x", "description": 5})",
       "\"description\" must be a string or null"},
      {R"({"id": "d2", "code": "x", "description": "a\u0000"})", "\"description\" contains a NUL"},
      {R"({"id": "t1", "code": "x", "tags": 5})",
       "\"tags\" must be an array of strings or a comma-separated string, got number"},
      {R"({"id": "t2", "code": "x", "tags": ["a", 2]})", "element 1 is number"},
      {R"({"id": "m1", "code": "x", "metadata": [1]})",
       "\"metadata\" must be an object, got array"},
      {R"({"id": "m2", "code": "x", "metadata": "s"})",
       "\"metadata\" must be an object, got string"},
      {"{\"id\": \"u1\", \"code\": \"caf\xE9\"}", "not valid UTF-8 (byte offset 25 in the line)"},
      {R"({"id": "s1", "code": "\ud800"})", "invalid JSON"},  // lone surrogate escape
      {std::string(300, '[') + std::string(300, ']'), "nested deeper than"},
  };
  std::string content;
  for (const auto& [line, reason] : cases) content += line + "\n";
  content += R"({"id": "good", "code": "x = 1"})";  // last line without newline
  ASSERT_TRUE(Read(content).ok());
  EXPECT_EQ(sink_.Ids(), std::vector<std::string>{"good"});
  ASSERT_EQ(sink_.skips.size(), cases.size()) << sink_.SkipText();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_THAT(ReasonForLine(static_cast<int>(i + 1)), HasSubstr(cases[i].second))
        << cases[i].first;
  }
  for (const ImportSkip& s : sink_.skips) {
    EXPECT_TRUE(IsValidUtf8(s.reason));
    EXPECT_EQ(s.reason.find('\0'), std::string::npos);
  }
}

TEST_F(JsonlReaderTest, DuplicateIdsFirstAcceptedWins) {
  ASSERT_TRUE(Read(R"({"id": "x", "code": 1})"
                   "\n"
                   R"({"id": "x", "code": "first = 1"})"
                   "\n"
                   R"({"id": "y", "code": "y = 1"})"
                   "\n"
                   R"({"id": "x", "code": "second = 2"})"
                   "\n")
                  .ok());
  EXPECT_EQ(sink_.Ids(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(sink_.records[0].code, "first = 1");
  EXPECT_THAT(ReasonForLine(1), HasSubstr("must be a string"));
  EXPECT_THAT(ReasonForLine(4), HasSubstr("duplicate id \"x\""));
  EXPECT_THAT(ReasonForLine(4), HasSubstr("line 2"));
}

TEST_F(JsonlReaderTest, CrlfAndBom) {
  ASSERT_TRUE(Read("\xEF\xBB\xBF{\"id\": \"a\", \"code\": \"x = 1\\r\\n\"}\r\n{\"id\": \"b\", "
                   "\"code\": \"y\"}\r\n")
                  .ok());
  EXPECT_TRUE(sink_.skips.empty()) << sink_.SkipText();
  ASSERT_EQ(sink_.Ids(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(sink_.records[0].code, "x = 1\r\n");
}

TEST_F(JsonlReaderTest, OverlongLinesAreSkippedAndReadingContinues) {
  std::string long_code(3000, 'x');
  std::string content = R"({"id": "short", "code": "a = 1"})"
                        "\n"
                        R"({"id": "long", "code": ")" +
                        long_code + "\"}\n" + R"({"id": "after", "code": "b = 2"})";
  ImportOptions options;
  options.max_file_bytes = 1000;
  ASSERT_TRUE(Read(content, options).ok());
  EXPECT_EQ(sink_.Ids(), (std::vector<std::string>{"short", "after"}));
  EXPECT_THAT(ReasonForLine(2),
              HasSubstr("the line is 3026 bytes (3.0 KiB), over the limit of 1000 bytes"));
  EXPECT_THAT(ReasonForLine(2), HasSubstr("--max-file-size"));
}

TEST_F(JsonlReaderTest, FileErrors) {
  Status missing = ReadJsonl(dir_.path() / "none.jsonl", {}, sink_.OnRecord(), sink_.OnSkip());
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("none.jsonl"));
  Status dir = ReadJsonl(dir_.path(), {}, sink_.OnRecord(), sink_.OnSkip());
  EXPECT_EQ(dir.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ReadJsonl(file_, {}, sink_.OnRecord(), sink_.OnSkip()).code() ==
              StatusCode::kNotFound);
  WriteFile(file_, "");
  EXPECT_TRUE(ReadJsonl(file_, {}, sink_.OnRecord(), sink_.OnSkip()).ok());
  EXPECT_TRUE(sink_.records.empty());
}

TEST_F(JsonlReaderTest, SinkErrorAborts) {
  WriteFile(file_, "{\"id\": \"a\", \"code\": \"x\"}\n{\"id\": \"b\", \"code\": \"y\"}\n");
  int records = 0;
  Status status = ReadJsonl(
      file_, {},
      [&](ImportRecord&&) {
        ++records;
        return Status(StatusCode::kDatabase, "disk full");
      },
      sink_.OnSkip());
  EXPECT_EQ(status.code(), StatusCode::kDatabase);
  EXPECT_EQ(records, 1);
}

}  // namespace
}  // namespace cnake
