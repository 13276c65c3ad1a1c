#include "scheduler/rate_limit_headers.h"

#include <gtest/gtest.h>

#include "util/random.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

constexpr Duration kMax = 24h;

std::optional<Duration> Reset(std::string_view s) { return ParseResetDuration(s, kMax); }

TEST(ResetDurationTest, OpenAiForms) {
  EXPECT_EQ(Reset("1s"), Duration(1s));
  EXPECT_EQ(Reset("6m0s"), Duration(6min));
  EXPECT_EQ(Reset("250ms"), Duration(250ms));
  EXPECT_EQ(Reset("1h2m3.5s"), Duration(1h + 2min + 3500ms));
  EXPECT_EQ(Reset("0.5s"), Duration(500ms));
  EXPECT_EQ(Reset("12ms"), Duration(12ms));
  EXPECT_EQ(Reset("20us"), Duration(20us));
  EXPECT_EQ(Reset("20\xC2\xB5s"), Duration(20us));
  EXPECT_EQ(Reset("7ns"), Duration(7ns));
  EXPECT_EQ(Reset("0s"), Duration::zero());
  EXPECT_EQ(Reset(" 2s "), Duration(2s));
}

TEST(ResetDurationTest, ABareNumberIsSeconds) {
  EXPECT_EQ(Reset("7"), Duration(7s));
  EXPECT_EQ(Reset("1.5"), Duration(1500ms));
}

TEST(ResetDurationTest, GarbageIsIgnored) {
  for (const char* bad : {"", " ", "-1s", "+1s", "1x", "s", "1 s", "1s2", "1.s", ".5s", "1m-2s",
                          "abc", "1e3s", "1sms", "2020-01-01T00:00:00Z"}) {
    EXPECT_FALSE(Reset(bad).has_value()) << bad;
  }
}

TEST(ResetDurationTest, ClampedToTheMaximum) {
  EXPECT_EQ(Reset("99999999999999999999h"), kMax);
  EXPECT_EQ(Reset("25h"), kMax);
  EXPECT_EQ(ParseResetDuration("5s", -1s), Duration::zero());
}

TEST(ResetDurationTest, TotalOverRandomBytes) {
  Random rng(7);
  for (int i = 0; i < 50000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng.Uniform01() * 12);
    for (int j = 0; j < n; ++j)
      s.push_back("0123456789.hmsun \xB5\xC2x-"[static_cast<int>(rng.Uniform01() * 21)]);
    if (auto d = Reset(s)) {
      EXPECT_GE(*d, Duration::zero()) << s;
      EXPECT_LE(*d, kMax) << s;
    }
  }
}

TEST(RemainingCountTest, Counts) {
  EXPECT_EQ(ParseRemainingCount("4999"), 4999);
  EXPECT_EQ(ParseRemainingCount("0"), 0);
  EXPECT_EQ(ParseRemainingCount(" 12.0 "), 12);
  EXPECT_FALSE(ParseRemainingCount("-1").has_value());  // Azure: no limit
  EXPECT_FALSE(ParseRemainingCount("1.5").has_value());
  EXPECT_FALSE(ParseRemainingCount("").has_value());
  EXPECT_FALSE(ParseRemainingCount("12k").has_value());
  EXPECT_GT(*ParseRemainingCount("99999999999999999999999"), 0);
}

TEST(ProviderLimitsTest, ReadsEveryHeaderInAnyCase) {
  const ProviderLimits l = ParseProviderLimits({{"X-RateLimit-Remaining-Requests", "4999"},
                                                {"x-ratelimit-remaining-tokens", "159976"},
                                                {"x-ratelimit-reset-requests", "12ms"},
                                                {"X-RATELIMIT-RESET-TOKENS", "6m0s"},
                                                {"retry-after-ms", "1500"},
                                                {"x-ratelimit-limit-tokens", "160000"}},
                                               kMax);
  EXPECT_EQ(l.remaining_requests, 4999);
  EXPECT_EQ(l.remaining_tokens, 159976);
  EXPECT_EQ(l.reset_requests, Duration(12ms));
  EXPECT_EQ(l.reset_tokens, Duration(6min));
  EXPECT_EQ(l.retry_after_ms, Duration(1500ms));
  EXPECT_FALSE(l.empty());
  EXPECT_TRUE(ParseProviderLimits({}, kMax).empty());
  EXPECT_TRUE(ParseProviderLimits({{"x-ratelimit-remaining-tokens", "-1"}}, kMax).empty());
}

TEST(ProviderLimitsTest, KnowsItsHeaderNames) {
  EXPECT_TRUE(IsProviderLimitHeader("X-RateLimit-Reset-Tokens"));
  EXPECT_TRUE(IsProviderLimitHeader("retry-after-ms"));
  EXPECT_FALSE(IsProviderLimitHeader("retry-after"));  // read by the transport already
  EXPECT_FALSE(IsProviderLimitHeader("x-ratelimit-limit-requests"));
}

}  // namespace
}  // namespace cnake::scheduler
