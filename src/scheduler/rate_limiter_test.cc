#include "scheduler/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/fake_clock.h"
#include "util/random.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// Checks that for every window [t_i, t_j] the number of grants is at most
// burst + rate * (t_j - t_i).
void ExpectWindowsBounded(const std::vector<TimePoint>& grants, int burst, double rpm) {
  for (size_t i = 0; i < grants.size(); ++i) {
    for (size_t j = i; j < grants.size(); ++j) {
      const double allowed = burst + rpm / 60.0 * Seconds(grants[j] - grants[i]) + 1e-6;
      ASSERT_LE(static_cast<double>(j - i + 1), allowed) << "window " << i << ".." << j;
    }
  }
}

TEST(RateLimiterTest, FirstRequestIsImmediateButThereIsNoInitialBurst) {
  FakeClock clock;
  RateLimiter limiter(600, 5, clock.Now());
  EXPECT_EQ(limiter.TimeUntilAvailable(clock.Now()), Duration::zero());
  EXPECT_TRUE(limiter.TryAcquire(clock.Now()));
  EXPECT_FALSE(limiter.TryAcquire(clock.Now()));
  EXPECT_EQ(limiter.TimeUntilAvailable(clock.Now()), 100ms);
}

TEST(RateLimiterTest, IdleTimeBuildsABurstUpToCapacity) {
  FakeClock clock;
  RateLimiter limiter(600, 5, clock.Now());
  clock.Advance(1h);
  int granted = 0;
  while (limiter.TryAcquire(clock.Now())) ++granted;
  EXPECT_EQ(granted, 5);
}

TEST(RateLimiterTest, WaitingTheReturnedTimeSucceedsAndNotEarlier) {
  FakeClock clock;
  RateLimiter limiter(7, 1, clock.Now());  // an awkward rate: 8.571428... s per token
  ASSERT_TRUE(limiter.TryAcquire(clock.Now()));
  for (int i = 0; i < 50; ++i) {
    const Duration wait = limiter.TimeUntilAvailable(clock.Now());
    ASSERT_GT(wait, Duration::zero());
    clock.Advance(wait - 1ms);
    ASSERT_FALSE(limiter.TryAcquire(clock.Now()));
    clock.Advance(1ms);
    ASSERT_EQ(limiter.TimeUntilAvailable(clock.Now()), Duration::zero());
    ASSERT_TRUE(limiter.TryAcquire(clock.Now()));
  }
}

TEST(RateLimiterTest, GreedyCallerFollowingTheWaitGetsTheConfiguredRate) {
  FakeClock clock;
  const TimePoint start = clock.Now();
  RateLimiter limiter(600, 5, start);
  std::vector<TimePoint> grants;
  while (clock.Now() - start < 10s) {
    if (limiter.TryAcquire(clock.Now())) {
      grants.push_back(clock.Now());
    } else {
      clock.Advance(limiter.TimeUntilAvailable(clock.Now()));
    }
  }
  EXPECT_NEAR(static_cast<double>(grants.size()), 100.0, 2.0);
  ExpectWindowsBounded(grants, 5, 600);
}

TEST(RateLimiterTest, GreedyCallerWithRandomSmallStepsGetsTheConfiguredRate) {
  for (uint64_t seed : {1, 2, 3}) {
    FakeClock clock;
    Random rng(seed);
    const TimePoint start = clock.Now();
    RateLimiter limiter(600, 5, start);
    std::vector<TimePoint> grants;
    while (clock.Now() - start < 10s) {
      while (limiter.TryAcquire(clock.Now())) grants.push_back(clock.Now());
      clock.Advance(Duration(static_cast<int64_t>(rng.Uniform01() * 7e6)));  // 0..7 ms
    }
    EXPECT_NEAR(static_cast<double>(grants.size()), 100.0, 2.0) << seed;
    ExpectWindowsBounded(grants, 5, 600);
  }
}

TEST(RateLimiterTest, BurstsAfterIdlePeriodsNeverExceedTheBound) {
  FakeClock clock;
  Random rng(99);
  RateLimiter limiter(120, 5, clock.Now());
  std::vector<TimePoint> grants;
  for (int i = 0; i < 3000; ++i) {
    // Mostly short steps with occasional idle gaps, and a caller that does
    // not always want a request.
    const double r = rng.Uniform01();
    clock.Advance(r < 0.02 ? 5s : Duration(static_cast<int64_t>(r * 3e8)));
    if (rng.Uniform01() < 0.8) {
      while (limiter.TryAcquire(clock.Now())) grants.push_back(clock.Now());
    }
  }
  ASSERT_GT(grants.size(), 100u);
  ExpectWindowsBounded(grants, 5, 120);
}

TEST(RateLimiterTest, TimeGoingBackwardsGrantsNothingExtra) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  RateLimiter limiter(60, 1, t0);
  ASSERT_TRUE(limiter.TryAcquire(t0 + 1s));
  EXPECT_FALSE(limiter.TryAcquire(t0));
  EXPECT_FALSE(limiter.TryAcquire(t0 + 1500ms));
  EXPECT_TRUE(limiter.TryAcquire(t0 + 2s));
}

TEST(RateLimiterTest, ThrottleHalvesTheRateAndEmptiesTheBucket) {
  FakeClock clock;
  RateLimiter limiter(600, 5, clock.Now());
  clock.Advance(10s);  // bucket full
  limiter.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 300);
  EXPECT_FALSE(limiter.TryAcquire(clock.Now()));
  EXPECT_EQ(limiter.TimeUntilAvailable(clock.Now()), 200ms);
  EXPECT_EQ(limiter.throttles(), 1);
}

TEST(RateLimiterTest, SimultaneousThrottlesDecreaseOnce) {
  FakeClock clock;
  RateLimiter limiter(600, 5, clock.Now());
  for (int i = 0; i < 8; ++i) limiter.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 300);
  clock.Advance(1s);
  limiter.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 150);
}

TEST(RateLimiterTest, SustainedThrottlingCutsTheEffectiveRateAndStopsAtTheFloor) {
  FakeClock clock;
  const TimePoint start = clock.Now();
  RateLimiter limiter(600, 5, start);
  int late_requests = 0;  // in the second half of the run
  while (clock.Now() - start < 60s) {
    if (limiter.TryAcquire(clock.Now())) {
      if (clock.Now() - start >= 30s) ++late_requests;
      limiter.OnThrottled(clock.Now(), std::nullopt);  // the server answers 429
    } else {
      clock.Advance(limiter.TimeUntilAvailable(clock.Now()));
    }
    ASSERT_GE(limiter.current_rpm(), limiter.floor_rpm());
  }
  EXPECT_LE(limiter.current_rpm(), 300);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), limiter.floor_rpm());
  EXPECT_DOUBLE_EQ(limiter.floor_rpm(), 6);  // 1% of 600
  // 30 s at the configured rate would be 300 requests; at most half remain.
  EXPECT_LE(late_requests, 150);
  EXPECT_LE(late_requests, 4);  // in fact the floor: 6 rpm for 30 s, rounded up
}

TEST(RateLimiterTest, FloorIsAtLeastOneRpmAtMostSixButNeverAboveTheConfiguredRate) {
  FakeClock clock;
  RateLimiter fast(100000, 5, clock.Now());
  EXPECT_DOUBLE_EQ(fast.floor_rpm(), 6) << "not 1% of a configured rate the API may never allow";
  RateLimiter at_limit(600, 5, clock.Now());
  EXPECT_DOUBLE_EQ(at_limit.floor_rpm(), 6);
  RateLimiter mid(300, 5, clock.Now());
  EXPECT_DOUBLE_EQ(mid.floor_rpm(), 3);
  RateLimiter slow(30, 5, clock.Now());
  EXPECT_DOUBLE_EQ(slow.floor_rpm(), 1);
  RateLimiter crawl(0.5, 5, clock.Now());
  EXPECT_DOUBLE_EQ(crawl.floor_rpm(), 0.5);
}

TEST(RateLimiterTest, RecoversFromAnOverloadToTheConfiguredRateInBoundedTime) {
  FakeClock clock;
  RateLimiter limiter(600, 5, clock.Now());
  for (int i = 0; i < 20; ++i) {
    limiter.OnThrottled(clock.Now(), std::nullopt);
    clock.Advance(1s);
  }
  ASSERT_DOUBLE_EQ(limiter.current_rpm(), limiter.floor_rpm());
  ASSERT_DOUBLE_EQ(limiter.ceiling_rpm(), 600);  // nothing granted: the current rate
  const TimePoint recovery_start = clock.Now();
  double previous = limiter.current_rpm();
  int increases = 0;
  while (limiter.current_rpm() < limiter.configured_rpm()) {
    ASSERT_LT(clock.Now() - recovery_start, 120s) << "did not recover";
    clock.Advance(100ms);
    limiter.OnSuccess(clock.Now());
    const double now_rpm = limiter.current_rpm();
    ASSERT_GE(now_rpm, previous);
    if (previous < 540) {
      ASSERT_LE(now_rpm, std::min(540.0, 2 * previous) + 1e-9);  // doubling to 0.9 * ceiling
    } else {
      ASSERT_LE(now_rpm - previous, 12 + 1e-9);  // then 2% of the ceiling per step
    }
    if (now_rpm > previous) ++increases;
    previous = now_rpm;
  }
  // 6 -> 384 -> 540 by doubling, then five steps of 12 to the configured
  // rate, which was the ceiling: nothing was learned, so nothing is held.
  EXPECT_EQ(increases, 7 + 5);
  // One increase per 2 s interval, each needing a success.
  EXPECT_LE(clock.Now() - recovery_start, 24s + 100ms);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 600);
  for (int i = 0; i < 100; ++i) {
    clock.Advance(3s);
    limiter.OnSuccess(clock.Now());
  }
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 600);  // never above the configured rate
}

TEST(RateLimiterTest, RetryAfterPausesAllRequestsAndReleasesOneAtTheEnd) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  RateLimiter limiter(600, 5, t0);
  clock.Advance(10s);
  limiter.OnThrottled(clock.Now(), 5s);
  const TimePoint resume = clock.Now() + 5s;
  EXPECT_TRUE(limiter.paused(clock.Now()));
  EXPECT_EQ(limiter.TimeUntilAvailable(clock.Now()), 5s);
  clock.Advance(4999ms);
  EXPECT_FALSE(limiter.TryAcquire(clock.Now()));
  EXPECT_EQ(limiter.TimeUntilAvailable(clock.Now()), 1ms);
  clock.Set(resume);
  EXPECT_TRUE(limiter.TryAcquire(clock.Now()));
  EXPECT_FALSE(limiter.TryAcquire(clock.Now()));  // no burst after a pause
  EXPECT_EQ(limiter.total_paused(clock.Now()), 5s);
  clock.Advance(1h);
  EXPECT_EQ(limiter.total_paused(clock.Now()), 5s);
}

TEST(RateLimiterTest, OverlappingPausesMergeAndShorterOnesAreIgnored) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  RateLimiter limiter(600, 5, t0);
  limiter.PauseUntil(t0, t0 + 10s);
  limiter.PauseUntil(t0 + 2s, t0 + 4s);   // inside: ignored
  limiter.PauseUntil(t0 + 5s, t0 + 12s);  // extends
  EXPECT_EQ(limiter.paused_until(), t0 + 12s);
  EXPECT_EQ(limiter.total_paused(t0 + 6s), 6s);
  EXPECT_FALSE(limiter.TryAcquire(t0 + 11s));
  EXPECT_TRUE(limiter.TryAcquire(t0 + 12s));
  limiter.PauseUntil(t0 + 20s, t0 + 23s);  // a separate pause
  EXPECT_EQ(limiter.total_paused(t0 + 30s), 15s);
  limiter.PauseUntil(t0 + 30s, t0 + 29s);  // in the past: no-op
  EXPECT_FALSE(limiter.paused(t0 + 30s));
}

TEST(RateLimiterTest, ShortPauseDoesNotDelayBeyondTheNaturalToken) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  RateLimiter limiter(60, 5, t0);
  ASSERT_TRUE(limiter.TryAcquire(t0));
  limiter.PauseUntil(t0, t0 + 300ms);
  // The next token is due at t0 + 1 s anyway; the pause changes nothing.
  EXPECT_EQ(limiter.TimeUntilAvailable(t0), 1s);
  EXPECT_TRUE(limiter.TryAcquire(t0 + 1s));
}

TEST(RateLimiterTest, InvalidOptionsAreClamped) {
  FakeClock clock;
  RateLimiter limiter(-5, 0, clock.Now());
  EXPECT_GT(limiter.configured_rpm(), 0);
  EXPECT_EQ(limiter.burst(), 1);
  EXPECT_TRUE(limiter.TryAcquire(clock.Now()));
  EXPECT_GT(limiter.TimeUntilAvailable(clock.Now()), Duration::zero());
}

TEST(RateLimiterTest, AShareScalesTheRateAndTheBurst) {
  FakeClock clock;
  RateLimiter limiter(1200, 5, clock.Now());
  limiter.SetShare(clock.Now(), 0.25);
  EXPECT_DOUBLE_EQ(limiter.configured_rpm(), 300);
  EXPECT_EQ(limiter.burst(), 1);
  clock.Advance(1h);  // idle: the bucket fills to the share's burst only
  std::vector<TimePoint> grants;
  const TimePoint end = clock.Now() + 10s;
  while (clock.Now() < end) {
    if (limiter.TryAcquire(clock.Now())) grants.push_back(clock.Now());
    clock.Advance(1ms);
  }
  EXPECT_LE(grants.size(), 1u + 5u * 10u);
  EXPECT_GE(grants.size(), 5u * 10u - 1u);
  ExpectWindowsBounded(grants, 1, 300);
}

TEST(RateLimiterTest, ShareZeroGrantsNothingAndALaterShareStartsWithOneToken) {
  FakeClock clock;
  RateLimiter limiter(600, 5, clock.Now());
  limiter.SetShare(clock.Now(), 0);
  clock.Advance(1h);
  EXPECT_FALSE(limiter.TryAcquire(clock.Now()));
  EXPECT_GT(limiter.TimeUntilAvailable(clock.Now()), 1min);
  limiter.SetShare(clock.Now(), 0.5);
  EXPECT_TRUE(limiter.TryAcquire(clock.Now()));
  EXPECT_FALSE(limiter.TryAcquire(clock.Now())) << "no burst saved up while blocked";
  EXPECT_EQ(limiter.TimeUntilAvailable(clock.Now()), 200ms);
}

// Four runners sharing 1200 rpm, burst 5: one dies after 5 s and the other
// three raise their shares to a third; one joins back later (blocked until
// the others lowered theirs). Every window of the merged grants stays within
// burst + rate * window.
TEST(RateLimiterTest, SharesThatSumToOneKeepTheCombinedRateWithinTheLimit) {
  FakeClock clock;
  std::vector<RateLimiter> runners(4, RateLimiter(1200, 5, clock.Now()));
  for (auto& r : runners) r.SetShare(clock.Now(), 0.25);
  std::vector<TimePoint> grants;
  auto run_for = [&](Duration d, std::size_t active) {
    const TimePoint end = clock.Now() + d;
    while (clock.Now() < end) {
      for (std::size_t i = 0; i < active; ++i) {
        if (runners[i].TryAcquire(clock.Now())) grants.push_back(clock.Now());
      }
      clock.Advance(1ms);
    }
  };
  run_for(5s, 4);
  runners[3].SetShare(clock.Now(), 0);  // died: sends nothing
  run_for(3s, 4);                       // the others still use a quarter
  for (int i = 0; i < 3; ++i) runners[i].SetShare(clock.Now(), 1.0 / 3);
  run_for(5s, 4);
  for (int i = 0; i < 3; ++i) runners[i].SetShare(clock.Now(), 0.25);  // a joiner is counted
  run_for(1s, 4);
  runners[3].SetShare(clock.Now(), 0.25);  // ... and admitted
  run_for(5s, 4);
  ExpectWindowsBounded(grants, 5, 1200);
  EXPECT_GT(grants.size(), 300u) << "the shares are used, not just bounded";
}

}  // namespace
}  // namespace cnake::scheduler
