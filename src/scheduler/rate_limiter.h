// One token bucket over all API requests; it learns the API's limit from 429s.
#pragma once

#include <array>
#include <cstddef>
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
  // The first throttle of an episode (one with no increase since the last
  // decrease) learns where the API's limit is: the ceiling becomes the rate
  // of requests the API accepted (answered without a throttle) over
  // observe_window, or the current rate if that is lower, and the rate
  // settles at settle_factor times the ceiling. Accepted, not configured:
  // with a configured rate far above the API's limit, the bucket is not what
  // holds requests back. With fewer than min_observed answers in the window
  // nothing is learned and the throttle counts as a later one. A ceiling
  // measured over less than firm_span, or across a pause (the first seconds
  // of a run, a Retry-After), is tentative: it is not held (below), but
  // probed at once.
  double settle_factor = 0.9;
  Duration observe_window = std::chrono::seconds(5);
  int min_observed = 4;
  Duration firm_span = std::chrono::seconds(2);
  // Each later throttle of the same episode multiplies the rate by
  // decrease_factor: the API is refusing even the settled rate (an overload,
  // not a limit).
  double decrease_factor = 0.5;
  // The rate never drops below max(min_rpm, min(min_fraction * configured
  // rate, max_floor_rpm)), nor is that floor above the configured rate: at
  // most one request per 10 s however high the configured rate, since a
  // user who does not know the API's limit sets --rpm far above it; and
  // fixed, not learned, so an overload cannot talk it down to a request
  // every few minutes.
  double min_rpm = 1.0;
  double min_fraction = 0.01;
  double max_floor_rpm = 6;
  // Throttles within this long after a decrease do not decrease again: the
  // requests already in flight were sent at the old rate, and counting each
  // of their 429s would collapse the rate to the floor at once.
  Duration decrease_holdoff = std::chrono::seconds(1);
  // A success at least this long after the last rate change raises the rate:
  // doubling it while it is below settle_factor * ceiling (back from an
  // overload), then by near_ceiling_step * ceiling up to hold_factor *
  // ceiling (just under the API's limit, as near as it can be measured:
  // sending at exactly an API's limit draws a 429 now and then, and each
  // costs a Retry-After pause); there it holds for ceiling_hold (unless the
  // ceiling is tentative); then, probing for a limit that was underestimated
  // or raised, by increase_fraction of itself, doubling that fraction with
  // each further increase (at most doubling the rate), never above the
  // configured rate. A ceiling never learned (the configured rate) is
  // approached all the way and not held.
  Duration increase_interval = std::chrono::seconds(2);
  double near_ceiling_step = 0.02;
  double hold_factor = 0.97;
  Duration ceiling_hold = std::chrono::seconds(60);
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
// Adaptation to 429s (see RateLimiterOptions for the factors): a throttle
// that opens an episode sets the ceiling to the rate the API was accepting
// (or the current rate, if lower) and settles just under it; later
// throttles of the episode halve (at most once per decrease_holdoff), down
// to the floor; every throttle empties the bucket, so the next request waits
// one full interval at the lowered rate. Successes raise the rate at most
// once per increase_interval: doubling up to the settled rate, then slowly
// to just under the ceiling (where the limit is), where it stays for a
// while, then faster and faster above it up to the configured rate. A caller held to
// 600 requests/min by an API's fixed window gets at least 0.85 of them at
// any configured rate (rate_limiter_learning_test.cc simulates it); with the old
// rule (halve, floor and steps fixed fractions of the configured rate) an
// --rpm of 100000 got half.
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
  // The rate the API accepted when the last episode of throttles began (the
  // configured rate before anything was learned).
  double ceiling_rpm() const { return ceiling_rpm_; }
  // Requests per minute answered without a throttle (OnSuccess) over the
  // options' observe_window before `now` (over at least a second), and
  // whether that is firm: measured over firm_span or more, with no pause in
  // it. nullopt with fewer than min_observed answers in the window.
  struct Accepted {
    double rpm;
    bool firm;
  };
  std::optional<Accepted> AcceptedRpm(TimePoint now) const;
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
  void Decrease(TimePoint now);
  void Increase(TimePoint now);

  // The last kAnswerHistory OnSuccess calls, a ring: enough to measure any
  // rate (a full ring measures over its own span). Each keeps total_paused
  // at its time, so that a pause within the window, which lowers the
  // measured rate, makes the measurement tentative.
  struct Answer {
    TimePoint at;
    Duration paused;
  };
  static constexpr std::size_t kAnswerHistory = 256;
  std::array<Answer, kAnswerHistory> answers_{};
  std::size_t answer_count_ = 0;  // total ever; answers_[answer_count_ % size] is next

  RateLimiterOptions options_;
  double share_ = 1;  // of options_ (rate and burst); 0: blocked
  double configured_rpm_;
  double floor_rpm_;
  double ceiling_rpm_;
  double current_rpm_;
  int burst_;
  double tokens_;
  TimePoint last_refill_;
  TimePoint paused_until_;
  TimePoint pause_started_;
  Duration closed_pauses_{0};
  std::optional<TimePoint> last_decrease_;
  bool in_episode_ = false;  // a ceiling learned and no increase since
  int probes_ = 0;           // increases above the ceiling since it was learned
  std::optional<TimePoint> at_ceiling_since_;
  // Where the ceiling came from: the configured rate (nothing learned) is
  // approached all the way and never held; a learned one is held just
  // under, for a while if it is firm.
  enum class Ceiling { kConfigured, kTentative, kFirm };
  Ceiling ceiling_kind_ = Ceiling::kConfigured;
  TimePoint last_change_;
  int throttles_ = 0;
};

}  // namespace cnake::scheduler
