// Tests for the shared time and randomness helpers this component owns:
// util/clock.h, util/random.h and testing/fake_clock.h.
#include "util/clock.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <thread>

#include "scheduler/backoff.h"
#include "testing/fake_clock.h"
#include "util/random.h"

namespace cnake {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, RealClockIsMonotonicAndWallIsRecent) {
  Clock& clock = RealClock();
  const TimePoint a = clock.Now();
  const TimePoint b = clock.Now();
  EXPECT_LE(a, b);
  // After 2020-01-01: catches a wall clock built from the steady epoch.
  EXPECT_GT(clock.WallNow().time_since_epoch(), std::chrono::seconds(1577836800));
  EXPECT_EQ(&RealClock(), &clock);
}

TEST(ClockTest, AddSaturating) {
  const TimePoint t{1h};
  EXPECT_EQ(AddSaturating(t, 5s), t + 5s);
  EXPECT_EQ(AddSaturating(t, -5s), t - 5s);
  EXPECT_EQ(AddSaturating(t, Duration::max()), TimePoint::max());
  EXPECT_EQ(AddSaturating(TimePoint::max(), 1ns), TimePoint::max());
  EXPECT_EQ(AddSaturating(TimePoint{-1h}, Duration::min()), TimePoint::min());
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  const SystemTimePoint w0 = clock.WallNow();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(1500ms);
  EXPECT_EQ(clock.Now() - t0, 1500ms);
  EXPECT_EQ(clock.WallNow() - w0, 1500ms);
  clock.Set(t0);  // backwards: ignored
  EXPECT_EQ(clock.Now() - t0, 1500ms);
  clock.Set(t0 + 1h);
  EXPECT_EQ(clock.Now() - t0, 1h);
  clock.SetWall(SystemTimePoint{});
  EXPECT_EQ(clock.WallNow().time_since_epoch(), Duration::zero());
  clock.Advance(-5s);  // the wall clock may step back; the steady one may not
  EXPECT_EQ(clock.Now() - t0, 1h);
  EXPECT_EQ(clock.WallNow().time_since_epoch(), -5s);
}

TEST(FakeClockTest, ConcurrentAdvancesAreNotLost) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  std::thread a([&] {
    for (int i = 0; i < 10000; ++i) clock.Advance(1ns);
  });
  std::thread b([&] {
    for (int i = 0; i < 10000; ++i) clock.Advance(1ns);
  });
  a.join();
  b.join();
  EXPECT_EQ(clock.Now() - t0, 20000ns);
}

TEST(RandomTest, DeterministicPerSeedAndUniform) {
  Random a(5), b(5), c(6);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
  Random r(0);
  int buckets[10] = {};
  for (int i = 0; i < 100000; ++i) {
    const double u = r.Uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ++buckets[static_cast<int>(u * 10)];
  }
  for (int n : buckets) EXPECT_NEAR(n, 10000, 500);
}

TEST(BackoffTest, CapDoublesUntilTheMaximum) {
  using scheduler::BackoffCap;
  EXPECT_EQ(BackoffCap(1s, 60s, 0), 1s);
  EXPECT_EQ(BackoffCap(1s, 60s, 5), 32s);
  EXPECT_EQ(BackoffCap(1s, 60s, 6), 60s);
  EXPECT_EQ(BackoffCap(1s, 60s, -1), 1s);
  EXPECT_EQ(BackoffCap(1ns, Duration::max(), 62), Duration::max());
  EXPECT_EQ(BackoffCap(1ns, Duration::max(), 61), Duration(int64_t{1} << 61));
  EXPECT_EQ(BackoffCap(0s, 60s, 10), Duration::zero());
  EXPECT_EQ(BackoffCap(-1s, 60s, 10), Duration::zero());
  EXPECT_EQ(BackoffCap(1s, -60s, 10), Duration::zero());
  EXPECT_EQ(BackoffCap(Duration::max(), 60s, std::numeric_limits<int>::max()), 60s);
}

TEST(BackoffTest, ScaleStaysWithinTheCap) {
  using scheduler::ScaleDuration;
  EXPECT_EQ(ScaleDuration(Duration::max(), 1.0), Duration(static_cast<int64_t>(9.2e18)));
  EXPECT_EQ(ScaleDuration(10s, 0.25), 2500ms);
  EXPECT_EQ(ScaleDuration(-10s, 0.5), Duration::zero());
  EXPECT_EQ(ScaleDuration(10s, std::numeric_limits<double>::infinity()), 10s);
}

}  // namespace
}  // namespace cnake
