#include "api/api_paths.h"

#include <gtest/gtest.h>

namespace cnake::api {
namespace {

TEST(RequestIdTest, AcceptsOrdinaryIds) {
  EXPECT_TRUE(IsAcceptableRequestId("3f2b9c1e-8d4a-4c1b-9e2f-0123456789ab"));
  EXPECT_TRUE(IsAcceptableRequestId("a"));
  EXPECT_TRUE(IsAcceptableRequestId("job.1_2~x"));
  EXPECT_TRUE(IsAcceptableRequestId(std::string(kMaxRequestIdLength, 'a')));
}

TEST(RequestIdTest, RejectsHostileIds) {
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId("../x"));
  EXPECT_FALSE(IsAcceptableRequestId(".."));
  EXPECT_FALSE(IsAcceptableRequestId("a..b"));
  EXPECT_FALSE(IsAcceptableRequestId("a/b"));
  EXPECT_FALSE(IsAcceptableRequestId("a\\b"));
  EXPECT_FALSE(IsAcceptableRequestId("a b"));
  EXPECT_FALSE(IsAcceptableRequestId("a\r\nb"));
  EXPECT_FALSE(IsAcceptableRequestId(std::string("a\0b", 3)));
  EXPECT_FALSE(IsAcceptableRequestId("caf\xC3\xA9"));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(kMaxRequestIdLength + 1, 'a')));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(10240, 'a')));
}

TEST(PathTest, IdsArePercentEncodedIntoOneSegment) {
  EXPECT_EQ(StatusPath("abc-1"), "/status/abc-1");
  EXPECT_EQ(ResultPath("abc-1"), "/results/abc-1");
  EXPECT_EQ(StatusPath("a b/c?d#e%"), "/status/a%20b%2Fc%3Fd%23e%25");
  EXPECT_EQ(ResultPath("../x"), "/results/..%2Fx");
  EXPECT_EQ(PercentEncodePathSegment("\xC3\xA9\n"), "%C3%A9%0A");
}

TEST(JoinUrlTest, JoinsAndValidates) {
  auto url = JoinUrl("http://127.0.0.1:8000/api", "/status/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, "http://127.0.0.1:8000/api/status/x");
  EXPECT_TRUE(JoinUrl("https://api.example.com", "/generate").ok());
  EXPECT_FALSE(JoinUrl("http://h/api", "status/x").ok());
  EXPECT_FALSE(JoinUrl("http://h/api", "/a b").ok());
  EXPECT_FALSE(JoinUrl("http://h/api", "/a\r\nHost: evil").ok());
  EXPECT_FALSE(JoinUrl("http://h/api/", "/x").ok());
}

TEST(ValidateBaseUrlTest, Cases) {
  EXPECT_TRUE(ValidateBaseUrl("http://localhost:8000/api").ok());
  EXPECT_TRUE(ValidateBaseUrl("https://h").ok());
  EXPECT_FALSE(ValidateBaseUrl("file:///etc/passwd").ok());
  EXPECT_FALSE(ValidateBaseUrl("http://").ok());
  EXPECT_FALSE(ValidateBaseUrl("http:///x").ok());
  EXPECT_FALSE(ValidateBaseUrl("localhost:8000").ok());
  EXPECT_FALSE(ValidateBaseUrl("http://h/ x").ok());
}

}  // namespace
}  // namespace cnake::api
