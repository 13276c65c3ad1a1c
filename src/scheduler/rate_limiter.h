// One token bucket over all API requests, with AIMD adaptation to 429s.
#pragma once

#include <optional>

#include "util/clock.h"

namespace cnake::scheduler {

struct RateLimiterOptions {
  // The configured (and maximum) rate. Must be finite and > 0; other values
  // are clamped into [1e-3, 1e9].
  double requests_per_minute = 60;
  // Bucket capacity: how many requests may go back to back after an idle
  // period. Values below 1 are treated as 1.
  int burst = 5;
  // On a throttle the rate is multiplied by this factor...
  double decrease_factor = 0.5;
  // ...but never below max(min_rpm, min_fraction * requests_per_minute),
  // and never below the configured rate itself.
  double min_rpm = 1.0;
  double min_fraction = 0.01;
  // Throttles within this long after a decrease do not decrease again: the
  // requests already in flight were sent at the old rate, and counting each
  // of their 429s would collapse the rate to the floor at once.
  Duration decrease_holdoff = std::chrono::seconds(1);
  // A success at least this long after the last rate change raises the rate
  // by increase_fraction * requests_per_minute.
  Duration increase_interval = std::chrono::seconds(2);
  double increase_fraction = 0.05;
};

// Token bucket: tokens accrue continuously at current_rpm()/60 per second up
// to `burst`; each request takes one. In any window of length w at most
// burst + rate * w requests are granted.
//
// The bucket starts with one token, not full: the first request goes out at
// once, but a run does not open with a burst (which would overshoot the
// configured rate over the first seconds, e.g. 105 instead of 100 requests
// in 10 s at 600 rpm with burst 5). The burst capacity only builds up while
// the caller is idle, e.g. while every job is waiting for its next poll.
//
// Adaptation (AIMD): OnThrottled multiplies the current rate by
// decrease_factor (at most once per decrease_holdoff) down to the floor and
// empties the bucket, so the next request waits one full interval at the
// lowered rate. OnSuccess raises the rate by increase_fraction of the
// configured rate, at most once per increase_interval, never above the
// configured rate. From the floor back to the configured rate therefore
// takes at most ceil(1 / increase_fraction) = 20 increases, i.e. at most
// 20 * increase_interval (40 s by default) while successes keep arriving at
// least once per interval.
//
// Pauses: PauseUntil(t) (and OnThrottled with a Retry-After) grant no token
// before t. While paused the bucket holds at most one token, so a pause ends
// with a single request, not a burst.
//
// Time must not go backwards between calls (a TimePoint older than the last
// one seen is treated as that last one). Not thread-safe: owned by the
// engine's event loop.
class RateLimiter {
 public:
  RateLimiter(const RateLimiterOptions& options, TimePoint now);
  RateLimiter(double requests_per_minute, int burst, TimePoint now);

  // Takes a token if one is available now and no pause is in effect.
  bool TryAcquire(TimePoint now);
  // How long until TryAcquire would succeed (zero if it would now). Waiting
  // exactly this long and calling TryAcquire succeeds, unless the state
  // changed in between (a throttle, a pause).
  Duration TimeUntilAvailable(TimePoint now) const;

  // A 429 (or 503 with Retry-After) arrived. `retry_after` should already be
  // clamped (ParseRetryAfter does); a pause until now + retry_after applies.
  void OnThrottled(TimePoint now, std::optional<Duration> retry_after);
  // A request completed without being throttled.
  void OnSuccess(TimePoint now);
  // No token is granted before `until`. Pauses merge: a shorter pause than
  // the current one changes nothing.
  void PauseUntil(TimePoint now, TimePoint until);
  // Runs at `share` (0..1) of the configured rate and burst from now on: one
  // runner's part of a limit that several runners share (docs/scale-out.md).
  // The rate (and its AIMD state) scales by share; the burst becomes
  // max(1, floor(burst * share)), and tokens beyond it are dropped at once.
  // Share 0 grants nothing until a later SetShare above 0, which starts
  // again like a new limiter (one token).
  void SetShare(TimePoint now, double share);

  double configured_rpm() const { return configured_rpm_; }
  double current_rpm() const { return current_rpm_; }
  double floor_rpm() const { return floor_rpm_; }
  int burst() const { return burst_; }
  TimePoint paused_until() const { return paused_until_; }
  bool paused(TimePoint now) const { return now < paused_until_; }
  int throttles() const { return throttles_; }
  // Total time spent paused up to `now` (overlapping pauses counted once).
  Duration total_paused(TimePoint now) const;

 private:
  struct Bucket {
    double tokens;
    TimePoint at;
  };
  // The bucket as it will be at `now` given the current rate and pause.
  Bucket Project(TimePoint now) const;
  void Refill(TimePoint now);
  double TokensPerNanosecond() const { return current_rpm_ / 60e9; }

  RateLimiterOptions options_;
  double share_ = 1;  // of options_ (rate and burst); 0: blocked
  double configured_rpm_;
  double floor_rpm_;
  double current_rpm_;
  int burst_;
  double tokens_;
  TimePoint last_refill_;
  TimePoint paused_until_;
  TimePoint pause_started_;
  Duration closed_pauses_{0};
  std::optional<TimePoint> last_decrease_;
  TimePoint last_change_;
  int throttles_ = 0;
};

}  // namespace cnake::scheduler
