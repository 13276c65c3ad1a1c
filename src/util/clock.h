// Time as a dependency: production code asks a Clock for the time instead of
// calling std::chrono directly, so tests can substitute a FakeClock
// (src/testing/fake_clock.h) and never sleep.
//
// Two clocks, two purposes: the steady clock (TimePoint) measures intervals,
// deadlines and rates and never jumps; the wall clock (SystemTimePoint) is
// only for interpreting absolute dates sent by servers (Retry-After) and for
// timestamps written to the database.
#pragma once

#include <chrono>
#include <limits>

namespace cnake {

using SteadyClock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<SteadyClock, Duration>;
using SystemTimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

// Implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  virtual SystemTimePoint WallNow() const = 0;
};

namespace internal {
class RealClockImpl final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<Duration>(SteadyClock::now());
  }
  SystemTimePoint WallNow() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};
}  // namespace internal

// The process-wide real clock. Never destroyed before other statics that may
// use it because it has no destructor side effects.
inline Clock& RealClock() {
  static internal::RealClockImpl clock;
  return clock;
}

// t + d, saturating at the representable range instead of overflowing (signed
// overflow is undefined behaviour). Used wherever a server-controlled or
// configured duration is added to a time point.
inline TimePoint AddSaturating(TimePoint t, Duration d) {
  using Rep = Duration::rep;
  const Rep base = t.time_since_epoch().count();
  const Rep delta = d.count();
  if (delta > 0 && base > std::numeric_limits<Rep>::max() - delta) return TimePoint::max();
  if (delta < 0 && base < std::numeric_limits<Rep>::min() - delta) return TimePoint::min();
  return t + d;
}

}  // namespace cnake
