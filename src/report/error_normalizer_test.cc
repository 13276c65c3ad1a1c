#include "report/error_normalizer.h"

#include <gtest/gtest.h>

#include <string>

namespace cnake::report {
namespace {

TEST(ErrorNormalizer, NumbersWithAndWithoutUnits) {
  EXPECT_EQ(NormalizeErrorMessage("timed out after 5000 ms"), "timed out after <n> ms");
  EXPECT_EQ(NormalizeErrorMessage("timed out after 150ms (3 tries)"),
            "timed out after <n>ms (<n> tries)");
  EXPECT_EQ(NormalizeErrorMessage("value -1.5e3 too small"), "value <n> too small");
  EXPECT_EQ(NormalizeErrorMessage("HTTP 503"), "HTTP <n>");
}

TEST(ErrorNormalizer, SameProblemSamePattern) {
  EXPECT_EQ(NormalizeErrorMessage("job 7f3a9c2e11 failed after 1532 ms"),
            NormalizeErrorMessage("job 09bc44aa17 failed after 88 ms"));
  EXPECT_NE(NormalizeErrorMessage("job 7f3a9c2e11 failed"),
            NormalizeErrorMessage("job 7f3a9c2e11 was lost"));
}

TEST(ErrorNormalizer, Uuid) {
  EXPECT_EQ(NormalizeErrorMessage("job 123e4567-e89b-12d3-a456-426614174000 not found"),
            "job <uuid> not found");
}

TEST(ErrorNormalizer, HexStrings) {
  EXPECT_EQ(NormalizeErrorMessage("key deadbeef0123 rejected"), "key <hex> rejected");
  EXPECT_EQ(NormalizeErrorMessage("at 0x7ffd1234"), "at <hex>");
  // A plain word made of hex letters only is a word.
  EXPECT_EQ(NormalizeErrorMessage("decade facade"), "decade facade");
}

TEST(ErrorNormalizer, QuotedStrings) {
  EXPECT_EQ(NormalizeErrorMessage(R"(unexpected token "foo bar" at 12)"),
            "unexpected token <str> at <n>");
  EXPECT_EQ(NormalizeErrorMessage("name 'x1' is not defined"), "name <str> is not defined");
  EXPECT_EQ(NormalizeErrorMessage(R"(say "a \"quoted\" word" now)"), "say <str> now");
  // An apostrophe inside a word is not a quote.
  EXPECT_EQ(NormalizeErrorMessage("doesn't parse"), "doesn't parse");
  // An unterminated quote stays as it is.
  EXPECT_EQ(NormalizeErrorMessage("bad \"token"), "bad \"token");
}

TEST(ErrorNormalizer, PathsAndUrls) {
  EXPECT_EQ(NormalizeErrorMessage("cannot open /var/lib/x.db: denied"),
            "cannot open <path>: denied");
  EXPECT_EQ(NormalizeErrorMessage("GET http://127.0.0.1:8000/api/status/abc failed"),
            "GET <url> failed");
  EXPECT_EQ(NormalizeErrorMessage("see ./logs/run.txt"), "see <path>");
}

TEST(ErrorNormalizer, GeneratedIds) {
  EXPECT_EQ(NormalizeErrorMessage("entry-0042: failed"), "<id>: failed");
  EXPECT_EQ(NormalizeErrorMessage("batch b-20261128-101500-3fa2 stopped"), "batch <id> stopped");
  EXPECT_EQ(NormalizeErrorMessage("connect to 127.0.0.1:8080 refused"), "connect to <id> refused");
  // Short alphanumerics are words, not ids.
  EXPECT_EQ(NormalizeErrorMessage("invalid utf8 in sha256"), "invalid utf8 in sha256");
}

TEST(ErrorNormalizer, KeyValuePairsKeepTheKey) {
  EXPECT_EQ(NormalizeErrorMessage("retry=3,status=429"), "retry=<n>,status=<n>");
}

TEST(ErrorNormalizer, WhitespaceCollapsesAndTrims) {
  EXPECT_EQ(NormalizeErrorMessage("  a \n\t b  "), "a b");
  EXPECT_EQ(NormalizeErrorMessage(""), "");
}

TEST(ErrorNormalizer, HostileBytesBecomeValidUtf8) {
  const std::string m = std::string("bad \xFF\xFE\xC3\x28 bytes\x01 and nul ") + '\0' + "x";
  const std::string p = NormalizeErrorMessage(m);
  for (unsigned char c : p) EXPECT_TRUE(c >= 0x20 || c == '\t') << p;
  EXPECT_EQ(p.find('\xFF'), std::string::npos);
  EXPECT_NE(p.find("bad "), std::string::npos);
}

TEST(ErrorNormalizer, LongMessagesAreCappedAtACharacterBoundary) {
  std::string m;
  for (int i = 0; i < 400; ++i) m += "é";  // two bytes each, no placeholders
  const std::string p = NormalizeErrorMessage(m);
  EXPECT_LE(p.size(), kMaxPatternBytes);
  EXPECT_EQ(p.size() % 2, 0u);
  EXPECT_GT(p.size(), kMaxPatternBytes - 4);
}

}  // namespace
}  // namespace cnake::report
