// Per-job deadlines (processing.job_timeout): every wait an entry plans is
// clipped so that no entry outlives its deadline.
#pragma once

#include <algorithm>

#include "util/clock.h"

namespace cnake::scheduler {

// An absolute point in steady time after which the entry fails with error
// type "timeout". A value type; cheap to copy.
class Deadline {
 public:
  // No deadline at all.
  static Deadline Never() { return Deadline(TimePoint::max()); }
  // `timeout` after `start`; saturates instead of overflowing. A timeout <= 0
  // is already expired at `start` (configuration should map "no timeout" to
  // Never()).
  static Deadline After(TimePoint start, Duration timeout) {
    return Deadline(AddSaturating(start, std::max(timeout, Duration::zero())));
  }
  static Deadline At(TimePoint at) { return Deadline(at); }

  TimePoint at() const { return at_; }
  bool is_never() const { return at_ == TimePoint::max(); }

  bool Expired(TimePoint now) const { return !is_never() && now >= at_; }
  // Time left; zero once expired, Duration::max() for Never().
  Duration Remaining(TimePoint now) const {
    if (is_never()) return Duration::max();
    return now >= at_ ? Duration::zero() : at_ - now;
  }
  // Whether waiting `wait` from `now` would end after the deadline.
  bool Overshoots(TimePoint now, Duration wait) const { return wait > Remaining(now); }
  // `wait` shortened so that it ends no later than the deadline; when
  // Overshoots() was true, the entry should be failed with "timeout" once the
  // clipped wait is over instead of performing the planned action.
  Duration Clip(TimePoint now, Duration wait) const {
    return std::clamp(wait, Duration::zero(), Remaining(now));
  }

  friend bool operator==(const Deadline&, const Deadline&) = default;

 private:
  explicit Deadline(TimePoint at) : at_(at) {}
  TimePoint at_;
};

}  // namespace cnake::scheduler
