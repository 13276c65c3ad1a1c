// The ETA (issue 21, item 9): no first-second guess, a rate smoothed over
// 30 s, none while stopping or while the API is down.
#include "engine/eta_estimator.h"

#include <gtest/gtest.h>

namespace cnake::engine {
namespace {

using namespace std::chrono_literals;

Snapshot Running(std::int64_t completed, std::int64_t total) {
  Snapshot s;
  s.batch_id = "b-1";
  s.total = total;
  s.completed = completed;
  return s;
}

TEST(EtaEstimatorTest, NoGuessInTheFirstSecondsThenTheSmoothedRate) {
  EtaEstimator eta;
  const TimePoint t0{std::chrono::hours(1)};
  Snapshot s = Running(0, 100);
  s.elapsed_seconds = 0;
  EXPECT_FALSE(eta.Update(t0, s));
  // A first second that finishes 10 at once says little about the rest.
  s.completed = 10;
  s.elapsed_seconds = 1;
  EXPECT_FALSE(eta.Update(t0 + 1s, s)) << "a first-second guess";
  // Then 1 entry/s for a minute: the window forgets the first second.
  std::optional<double> last;
  for (int t = 2; t <= 61; ++t) {
    s.completed = 10 + (t - 1);
    s.elapsed_seconds = t;
    last = eta.Update(t0 + std::chrono::seconds(t), s);
  }
  ASSERT_TRUE(last);
  EXPECT_NEAR(*last, 30.0, 1.5);  // 30 left at 1/s
}

TEST(EtaEstimatorTest, NoEtaWhileStoppingOrWhileTheApiIsDown) {
  EtaEstimator eta;
  const TimePoint t0{std::chrono::hours(1)};
  Snapshot s = Running(0, 100);
  for (int t = 0; t <= 10; ++t) {
    s.completed = t;
    s.elapsed_seconds = t;
    eta.Update(t0 + std::chrono::seconds(t), s);
  }
  EXPECT_TRUE(eta.Update(t0 + 10s, s));
  s.breaker_state = "open";
  EXPECT_FALSE(eta.Update(t0 + 11s, s));
  s.breaker_state = "closed";
  s.phase = RunPhase::kStopping;
  EXPECT_FALSE(eta.Update(t0 + 12s, s));
}

}  // namespace
}  // namespace cnake::engine
