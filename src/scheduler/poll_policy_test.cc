#include "scheduler/poll_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "util/random.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

const PollPolicy kPolicy{.initial = 1s, .max = 30s, .growth = 1.5, .jitter = 0.2};
constexpr double kNoJitter = 0.5;  // factor 1 + 0.2 * (2 * 0.5 - 1) = 1

TEST(PollPolicyTest, GrowsGeometricallyUpToTheMaximum) {
  EXPECT_EQ(NextPollDelay(0, std::nullopt, kPolicy, kNoJitter), 1s);
  EXPECT_EQ(NextPollDelay(1, std::nullopt, kPolicy, kNoJitter), 1500ms);
  EXPECT_EQ(NextPollDelay(2, std::nullopt, kPolicy, kNoJitter), 2250ms);
  Duration previous{0};
  for (int polls = 0; polls < 40; ++polls) {
    const Duration d = NextPollDelay(polls, std::nullopt, kPolicy, kNoJitter);
    EXPECT_GE(d, previous);
    EXPECT_LE(d, 30s);
    previous = d;
  }
  EXPECT_EQ(previous, 30s);
}

TEST(PollPolicyTest, HugePollCountsDoNotOverflow) {
  for (int polls : {1000, 100000, std::numeric_limits<int>::max()}) {
    EXPECT_EQ(NextPollDelay(polls, std::nullopt, kPolicy, kNoJitter), 30s);
  }
  EXPECT_EQ(NextPollDelay(-3, std::nullopt, kPolicy, kNoJitter), 1s);
}

TEST(PollPolicyTest, JitterIsPlusMinusTwentyPercentAndCappedAtMax) {
  Random rng(11);
  for (int polls : {0, 3, 6}) {
    const double base = std::min(30.0, std::pow(1.5, polls));
    double lo = 1e9, hi = 0;
    for (int i = 0; i < 5000; ++i) {
      const double s = std::chrono::duration<double>(
                           NextPollDelay(polls, std::nullopt, kPolicy, rng.Uniform01()))
                           .count();
      ASSERT_GE(s, base * 0.8 - 1e-9);
      ASSERT_LE(s, base * 1.2 + 1e-9);
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
    EXPECT_LT(lo, base * 0.81);
    EXPECT_GT(hi, base * 1.19);
  }
  EXPECT_EQ(NextPollDelay(50, std::nullopt, kPolicy, 1.0), 30s);
  EXPECT_EQ(NextPollDelay(50, std::nullopt, kPolicy, 0.0), 24s);
}

// The server's eta says when the job should be done: the check goes then
// (so a job with an eta costs one check more), never earlier, whatever the
// schedule would have said.
TEST(PollPolicyTest, ServerEtaReplacesTheScheduleAndIsNeverAnticipated) {
  EXPECT_EQ(NextPollDelay(0, 7.0, kPolicy, 0.0), 7s);
  EXPECT_EQ(NextPollDelay(20, 7.0, kPolicy, 0.0), 7s);    // not the grown 30 s
  EXPECT_EQ(NextPollDelay(0, 0.2, kPolicy, 0.0), 200ms);  // not raised to the first delay
  EXPECT_EQ(NextPollDelay(0, 500.0, kPolicy, 0.0), 30s);
  // Jitter only ever delays, by a share of the eta up to kMaxEtaSpread.
  EXPECT_EQ(NextPollDelay(0, 7.0, kPolicy, 1.0), 7s + kMaxEtaSpread);
  EXPECT_EQ(NextPollDelay(0, 0.01, kPolicy, 1.0), 12ms);
  EXPECT_EQ(NextPollDelay(0, 0.0, kPolicy, 0.0), kMinEtaWait);
}

TEST(PollPolicyTest, UnusableEtaFallsBackToTheSchedule) {
  const double kBad[] = {-4.0, std::nan(""), std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity()};
  for (double eta : kBad) {
    EXPECT_EQ(NextPollDelay(2, eta, kPolicy, kNoJitter), 2250ms) << eta;
  }
}

TEST(PollPolicyTest, DegenerateParametersAreClamped) {
  PollPolicy p{.initial = 2s, .max = 1s, .growth = 0.1, .jitter = 5.0};
  // max below initial is raised to initial; growth below 1 becomes 1; jitter
  // above 1 becomes 1 (so the delay may reach 0 but never goes negative).
  EXPECT_EQ(NextPollDelay(5, std::nullopt, p, kNoJitter), 2s);
  EXPECT_EQ(NextPollDelay(5, std::nullopt, p, 0.0), Duration::zero());
  p.growth = std::nan("");
  p.jitter = std::nan("");
  EXPECT_EQ(NextPollDelay(5, std::nullopt, p, 0.0), 2s);
}

TEST(PollPolicyTest, LearnedChecksStepByAShareOfTheTimeSoFar) {
  // 2 s since the POST answer, steps of 5%: 100 ms, then doubling.
  EXPECT_EQ(NextLearnedCheckDelay(2s, 0, 0.05, kPolicy, kNoJitter), 100ms);
  EXPECT_EQ(NextLearnedCheckDelay(2s, 1, 0.05, kPolicy, kNoJitter), 200ms);
  EXPECT_EQ(NextLearnedCheckDelay(2s, 3, 0.05, kPolicy, kNoJitter), 800ms);
  // Never more than the time so far (a growth of 2) ...
  EXPECT_EQ(NextLearnedCheckDelay(2s, 10, 0.05, kPolicy, kNoJitter), 2s);
  EXPECT_EQ(NextLearnedCheckDelay(2s, 1000, 0.05, kPolicy, kNoJitter), 2s);
  // ... nor than the policy's maximum, nor less than kMinEtaWait.
  EXPECT_EQ(NextLearnedCheckDelay(100s, 10, 0.05, kPolicy, kNoJitter), 30s);
  EXPECT_EQ(NextLearnedCheckDelay(0s, 0, 0.05, kPolicy, kNoJitter), kMinEtaWait);
  EXPECT_EQ(NextLearnedCheckDelay(-5s, 0, 0.05, kPolicy, kNoJitter), kMinEtaWait);
  EXPECT_EQ(NextLearnedCheckDelay(2s, 0, std::nan(""), kPolicy, kNoJitter), 2s);
  // Jitter: half the policy's, either way.
  EXPECT_EQ(NextLearnedCheckDelay(2s, 0, 0.05, kPolicy, 0.0), 90ms);
  EXPECT_EQ(NextLearnedCheckDelay(2s, 0, 0.05, kPolicy, 1.0), 110ms);
}

}  // namespace
}  // namespace cnake::scheduler
