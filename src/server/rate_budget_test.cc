#include "server/rate_budget.h"

#include <gtest/gtest.h>

#include <map>

namespace cnake::server {
namespace {

std::map<std::string, std::string> Headers(const RateBudget::Verdict& v) {
  return {v.headers.begin(), v.headers.end()};
}

TEST(RateBudgetTest, DisabledAllowsEverythingWithoutHeaders) {
  FakeClock clock;
  RateBudget budget(0, 0, &clock);
  EXPECT_FALSE(budget.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(budget.Take(1000000).allowed);
  EXPECT_TRUE(budget.Take(1).headers.empty());
}

TEST(RateBudgetTest, BucketsRefillContinuously) {
  FakeClock clock;
  RateBudget budget(60, 6000, &clock);  // one request and 100 tokens per second
  auto v = budget.Take(3000);
  ASSERT_TRUE(v.allowed);
  EXPECT_EQ(Headers(v)["x-ratelimit-remaining-requests"], "59");
  EXPECT_EQ(Headers(v)["x-ratelimit-remaining-tokens"], "3000");
  EXPECT_EQ(Headers(v)["x-ratelimit-reset-tokens"], "30s");
  EXPECT_EQ(Headers(v)["x-ratelimit-reset-requests"], "1s");
  v = budget.Take(3001);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.exhausted, "tokens");
  EXPECT_EQ(Headers(v)["x-ratelimit-remaining-tokens"], "3000");  // nothing was taken
  clock.Advance(std::chrono::milliseconds(10));
  EXPECT_TRUE(budget.Take(3001).allowed);
  budget.Refund(1);
  EXPECT_EQ(Headers(budget.Take(0))["x-ratelimit-remaining-tokens"], "1");
}

TEST(RateBudgetTest, RequestsRunOutFirst) {
  FakeClock clock;
  RateBudget budget(2, 0, &clock);
  EXPECT_TRUE(budget.Take(5).allowed);
  EXPECT_TRUE(budget.Take(5).allowed);
  auto v = budget.Take(5);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.exhausted, "requests");
  EXPECT_EQ(Headers(v).count("x-ratelimit-remaining-tokens"), 0u);
}

TEST(RateBudgetTest, ARequestLargerThanTheBudgetNeedsAFullBucket) {
  FakeClock clock;
  RateBudget budget(0, 100, &clock);
  EXPECT_TRUE(budget.Take(500).allowed);  // full bucket: allowed, leaves a debt
  EXPECT_FALSE(budget.Take(1).allowed);
  clock.Advance(std::chrono::seconds(240));  // the debt of 400 is paid back: level 0
  EXPECT_FALSE(budget.Take(1).allowed);
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(budget.Take(1).allowed);
}

}  // namespace
}  // namespace cnake::server
