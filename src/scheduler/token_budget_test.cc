#include "scheduler/token_budget.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/fake_clock.h"
#include "util/random.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

struct Grant {
  TimePoint at;
  std::int64_t tokens;
};

// Every window [t, t + window) holds at most budget + one request.
void ExpectWindowsBounded(const std::vector<Grant>& grants, Duration window, double budget,
                          std::int64_t largest) {
  for (std::size_t i = 0; i < grants.size(); ++i) {
    std::int64_t sum = 0;
    for (std::size_t j = i; j < grants.size() && grants[j].at < grants[i].at + window; ++j) {
      sum += grants[j].tokens;
    }
    ASSERT_LE(static_cast<double>(sum), std::max(budget, static_cast<double>(largest)))
        << "window from grant " << i;
  }
}

TEST(TokenBudgetTest, DisabledAdmitsEverything) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 0}, clock.Now());
  EXPECT_FALSE(budget.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(budget.TryReserve(clock.Now(), 1'000'000));
  EXPECT_EQ(budget.TimeUntilAvailable(clock.Now(), 1'000'000), Duration::zero());
}

TEST(TokenBudgetTest, AdmitsUpToTheBudgetThenWaitsForTheWindow) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 1000}, clock.Now());
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 400));
  clock.Advance(10s);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 400));
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 400));
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 200));  // exactly the budget
  EXPECT_EQ(budget.ReservedInWindow(clock.Now()), 1000);
  // The first reservation leaves the window 60 s after it was made.
  EXPECT_EQ(budget.TimeUntilAvailable(clock.Now(), 400), Duration(50s));
  clock.Advance(50s - 1ns);
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 400));
  clock.Advance(1ns);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 400));
}

TEST(TokenBudgetTest, SettlingCorrectsTheEstimate) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 1000}, clock.Now());
  auto id = budget.TryReserve(clock.Now(), 900);
  ASSERT_TRUE(id);
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 300));
  budget.Settle(*id, 250);  // the answer reported fewer tokens
  EXPECT_EQ(budget.ReservedInWindow(clock.Now()), 250);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 300));
  budget.Settle(12345, 1);  // unknown: nothing happens
  EXPECT_EQ(budget.ReservedInWindow(clock.Now()), 550);
}

TEST(TokenBudgetTest, ARequestLargerThanTheBudgetGoesOutAlone) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 100}, clock.Now());
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 500));
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 1));
  EXPECT_EQ(budget.TimeUntilAvailable(clock.Now(), 500), Duration(60s));
  clock.Advance(60s);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 500));
}

TEST(TokenBudgetTest, ProviderReportCapsWhatIsLeftUntilItsReset) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 100000}, clock.Now());
  budget.OnProviderReport(clock.Now(), 300, 2s);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 200));
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 200));  // 100 left per the provider
  EXPECT_EQ(budget.TimeUntilAvailable(clock.Now(), 200), Duration(2s));
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 100));
  clock.Advance(2s);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 200));
  // A report with a zero reset means the budget is full already.
  budget.OnProviderReport(clock.Now(), 0, Duration::zero());
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 200));
}

TEST(TokenBudgetTest, AReservationCountsFromWhenItsRequestGoesOut) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 1000}, clock.Now());
  auto first = budget.TryReserve(clock.Now(), 600);
  ASSERT_TRUE(first);
  clock.Advance(5s);  // its attempt was being committed
  budget.Restamp(*first, clock.Now());
  clock.Advance(56s);  // 61 s after the reservation, 56 s after the send
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 600));
  EXPECT_EQ(budget.TimeUntilAvailable(clock.Now(), 600), Duration(4s));
}

// A reservation whose request waits (for its attempt's commit) cannot be
// passed over: were it stamped with its reservation time, a request admitted
// a window later would not see it, and its send would then put both in one
// window beyond the budget.
TEST(TokenBudgetTest, AnUnsentReservationCountsInEveryWindowUntilItsSend) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 1000}, clock.Now());
  auto first = budget.TryReserve(clock.Now(), 600, /*until_sent=*/true);
  ASSERT_TRUE(first);
  clock.Advance(61s);  // still being committed
  EXPECT_EQ(budget.ReservedInWindow(clock.Now()), 600);
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 600));
  EXPECT_GT(budget.TimeUntilAvailable(clock.Now(), 600), Duration(1h));
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 400));  // what fits beside it does
  budget.Restamp(*first, clock.Now());
  clock.Advance(59s);
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 600));
  EXPECT_EQ(budget.TimeUntilAvailable(clock.Now(), 600), Duration(1s));
  clock.Advance(1s);
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 600));
}

TEST(TokenBudgetTest, AProviderReportDiscountsWhatIsStillInFlight) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 100000}, clock.Now());
  auto a = budget.TryReserve(clock.Now(), 300);
  auto b = budget.TryReserve(clock.Now(), 300);
  ASSERT_TRUE(a && b);
  // a's answer says 700 are left: b may not be counted in that yet.
  budget.MarkAnswered(*a);
  budget.OnProviderReport(clock.Now(), 700, 10s);
  EXPECT_FALSE(budget.TryReserve(clock.Now(), 500));
  EXPECT_TRUE(budget.TryReserve(clock.Now(), 400));
}

TEST(ProviderAllowanceTest, AtMostWhatIsLeftUntilTheReset) {
  FakeClock clock;
  ProviderAllowance a;
  EXPECT_TRUE(a.Allows(clock.Now(), 1000));  // nothing reported: no limit
  a.Report(clock.Now(), 3, 2s, /*in_flight=*/1);
  EXPECT_TRUE(a.Allows(clock.Now(), 2));
  a.Take(clock.Now(), 2);
  EXPECT_FALSE(a.Allows(clock.Now(), 1));
  EXPECT_EQ(a.AvailableAt(clock.Now(), 1), clock.Now() + 2s);
  clock.Advance(2s);
  EXPECT_TRUE(a.Allows(clock.Now(), 1));
  a.Report(clock.Now(), 0, 1s, 5);
  EXPECT_FALSE(a.Allows(clock.Now(), 1));
  // An older, higher figure arriving later does not lift the limit early.
  a.Report(clock.Now(), 3, 500ms);
  EXPECT_FALSE(a.Allows(clock.Now(), 1));
  clock.Advance(999ms);
  EXPECT_FALSE(a.Allows(clock.Now(), 1));
  clock.Advance(1ms);
  EXPECT_TRUE(a.Allows(clock.Now(), 1));
  a.Report(clock.Now(), 0, 5s);
  a.Report(clock.Now(), 0, Duration::zero());
  EXPECT_TRUE(a.Allows(clock.Now(), 1));
}

TEST(TokenBudgetTest, WaitingTimeUntilAvailableAlwaysAdmits) {
  FakeClock clock;
  TokenBudget budget({.tokens_per_minute = 5000, .window = 5s}, clock.Now());
  Random rng(42);
  std::vector<Grant> grants;
  std::int64_t largest = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto estimate = static_cast<std::int64_t>(100 + rng.Uniform01() * 1900);
    clock.Advance(budget.TimeUntilAvailable(clock.Now(), estimate));
    auto id = budget.TryReserve(clock.Now(), estimate);
    ASSERT_TRUE(id) << i;
    grants.push_back({clock.Now(), estimate});
    largest = std::max(largest, estimate);
    clock.Advance(std::chrono::milliseconds(static_cast<int>(rng.Uniform01() * 50)));
  }
  ExpectWindowsBounded(grants, 5s, 5000, largest);
  // And it is busy: 2000 requests of ~1050 tokens at 5000 per 5 s take about
  // 2000 * 1050 / 1000 per second, i.e. ~2100 s; far more would mean idling.
  const double took = std::chrono::duration<double>(grants.back().at - grants.front().at).count();
  EXPECT_LT(took, 2600);
}

TEST(TokenEstimatorTest, MaxTokensIsTheCompletionBound) {
  TokenEstimator e(1000);
  EXPECT_EQ(e.Estimate(300), TokenEstimator::kOverheadTokens + 100 + 1000);
}

TEST(TokenEstimatorTest, WithoutMaxTokensTheCompletionFollowsThePrompt) {
  TokenEstimator e;
  const std::int64_t prompt = TokenEstimator::kOverheadTokens + 1000;
  EXPECT_EQ(e.Estimate(3000), prompt + prompt);
  EXPECT_EQ(e.Estimate(3),
            TokenEstimator::kOverheadTokens + 1 + TokenEstimator::kMinCompletionTokens);
}

TEST(TokenEstimatorTest, LearnsTheLargestRatioSeen) {
  TokenEstimator e(100);
  // 4 bytes per token: the first observation replaces the prior...
  e.Observe(4000, 1000 + TokenEstimator::kOverheadTokens, 50);
  EXPECT_DOUBLE_EQ(e.tokens_per_byte(), 0.25);
  // ... a denser one raises it, a sparser one does not lower it.
  e.Observe(1000, 500 + TokenEstimator::kOverheadTokens, 50);
  e.Observe(1000, 100 + TokenEstimator::kOverheadTokens, 50);
  EXPECT_DOUBLE_EQ(e.tokens_per_byte(), 0.5);
  EXPECT_EQ(e.Estimate(2000), TokenEstimator::kOverheadTokens + 1000 + 100);
  e.Observe(0, 10, 10);  // ignored
  EXPECT_DOUBLE_EQ(e.tokens_per_byte(), 0.5);
}

}  // namespace
}  // namespace cnake::scheduler
