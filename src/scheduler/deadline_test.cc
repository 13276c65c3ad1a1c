#include "scheduler/deadline.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

TEST(DeadlineTest, ClipsWaitsThatWouldOvershoot) {
  FakeClock clock;
  const TimePoint start = clock.Now();
  const Deadline d = Deadline::After(start, 10s);
  EXPECT_EQ(d.at(), start + 10s);
  EXPECT_FALSE(d.Overshoots(start, 10s));
  EXPECT_TRUE(d.Overshoots(start, 10s + 1ns));
  EXPECT_EQ(d.Clip(start, 3s), 3s);
  EXPECT_EQ(d.Clip(start + 8s, 3s), 2s);
  EXPECT_EQ(d.Clip(start + 8s, -3s), Duration::zero());
  EXPECT_EQ(d.Remaining(start + 4s), 6s);
  EXPECT_FALSE(d.Expired(start + 10s - 1ns));
  EXPECT_TRUE(d.Expired(start + 10s));
  EXPECT_EQ(d.Remaining(start + 11s), Duration::zero());
  EXPECT_EQ(d.Clip(start + 11s, 3s), Duration::zero());
}

TEST(DeadlineTest, FollowingClippedWaitsNeverPassesTheDeadline) {
  FakeClock clock;
  const Deadline d = Deadline::After(clock.Now(), 95s);
  int waits = 0;
  while (!d.Expired(clock.Now())) {
    clock.Advance(d.Clip(clock.Now(), 7s));
    ++waits;
    ASSERT_LE(clock.Now(), d.at());
  }
  EXPECT_EQ(clock.Now(), d.at());
  EXPECT_EQ(waits, 14);
}

TEST(DeadlineTest, NeverAndSaturation) {
  FakeClock clock;
  const Deadline never = Deadline::Never();
  EXPECT_TRUE(never.is_never());
  EXPECT_FALSE(never.Expired(TimePoint::max() - 1ns));
  EXPECT_EQ(never.Remaining(clock.Now()), Duration::max());
  EXPECT_EQ(never.Clip(clock.Now(), 1000h), 1000h);
  EXPECT_FALSE(never.Overshoots(clock.Now(), Duration::max()));
  const Deadline huge = Deadline::After(clock.Now(), Duration::max());
  EXPECT_EQ(huge.at(), TimePoint::max());
  EXPECT_TRUE(Deadline::After(clock.Now(), -5s).Expired(clock.Now()));
  EXPECT_TRUE(Deadline::After(clock.Now(), 0s).Expired(clock.Now()));
}

}  // namespace
}  // namespace cnake::scheduler
