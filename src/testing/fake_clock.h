// A manually driven Clock for tests. Header-only and shared by every
// component's tests.
#pragma once

#include <atomic>
#include <chrono>

#include "util/clock.h"

namespace cnake {

// Time moves only when the test says so. Thread-safe: tests may advance the
// clock while code under test reads it from another thread. The steady and
// wall clocks move together; Set* moves one of them independently.
class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary non-zero steady time (so code that mistakes the
  // epoch for "unset" is caught) and at 2024-01-01T00:00:00Z on the wall.
  FakeClock()
      : steady_ns_(std::chrono::duration_cast<Duration>(std::chrono::hours(1000)).count()),
        wall_ns_(std::chrono::duration_cast<Duration>(std::chrono::seconds(1704067200)).count()) {}

  TimePoint Now() const override { return TimePoint(Duration(steady_ns_.load())); }
  SystemTimePoint WallNow() const override { return SystemTimePoint(Duration(wall_ns_.load())); }

  // Moves both clocks forward (or backward, for a negative d on the wall
  // clock only; the steady clock never goes back).
  void Advance(Duration d) {
    if (d.count() > 0) steady_ns_.fetch_add(d.count());
    wall_ns_.fetch_add(d.count());
  }
  // Sets the steady clock; a time before the current one is ignored because a
  // steady clock is monotonic.
  void Set(TimePoint t) {
    auto cur = steady_ns_.load();
    const auto want = t.time_since_epoch().count();
    while (want > cur && !steady_ns_.compare_exchange_weak(cur, want)) {
    }
  }
  void SetWall(SystemTimePoint t) { wall_ns_.store(t.time_since_epoch().count()); }

 private:
  std::atomic<Duration::rep> steady_ns_;
  std::atomic<Duration::rep> wall_ns_;
};

}  // namespace cnake
