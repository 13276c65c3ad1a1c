// Stops all dispatch while the API is down and probes /health until it is
// back, so an outage costs a bounded number of requests instead of every
// entry burning its retries.
#pragma once

#include "util/clock.h"

namespace cnake::scheduler {

// States:
//   kClosed   dispatch allowed; counts consecutive outage failures.
//   kOpen     no dispatch; a /health probe is due at a scheduled time.
//   kHalfOpen no dispatch; the probe is in flight.
//
// Transitions:
//   closed   --threshold consecutive OnTransientFailure--> open
//   closed   --OnSuccess--> closed (counter reset)
//   open     --TryStartProbe when due--> half-open
//   half-open--OnProbeResult(healthy)--> closed
//   half-open--OnProbeResult(unhealthy)--> open, next probe later
//   open/half-open --OnSuccess--> closed (a request sent before the breaker
//                  opened succeeded: the API is reachable)
//
// Probe schedule: the k-th probe after opening (k = 0, 1, ...) is due
// cap_k * (1 + u) / 2 after the breaker opened or the previous probe failed,
// with cap_k = min(probe_max, probe_base * 2^k) and u the uniform01 passed
// in. So probe intervals grow geometrically, are jittered, and are never
// shorter than cap_k / 2.
//
// Request bound: during an outage of length T the engine sends at most
//   (threshold + max_concurrent - 1) failing requests + MaxProbesWithin(T)
// probes: while closed, each failed request counts, so the breaker opens at
// the threshold-th failure; at that point at most max_concurrent - 1 other
// requests are still in flight, and nothing new is dispatched until a probe
// succeeds.
//
// Retries: failures that arrive while the breaker is not closed (including
// the one that opened it) should not spend the entry's retries; the engine
// re-queues such requests unchanged. ShouldCountAttempt() says which case
// applies; call it after OnTransientFailure.
//
// The engine must report every probe it starts through OnProbeResult,
// including timeouts (as unhealthy). Not thread-safe: owned by the event
// loop. Time must not go backwards between calls.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  // threshold <= 0 disables the breaker (it never opens). probe_base is
  // raised to at least 1 ms and probe_max to at least probe_base.
  CircuitBreaker(int threshold, Duration probe_base, Duration probe_max);

  // An outcome for which IndicatesOutage() is true.
  void OnTransientFailure(TimePoint now, double uniform01);
  // Any outcome proving the API answers (a success, or a non-outage error
  // such as a 4xx).
  void OnSuccess(TimePoint now);

  bool AllowsDispatch() const { return state_ == State::kClosed; }
  bool ShouldCountAttempt() const { return state_ == State::kClosed; }

  bool ProbeDue(TimePoint now) const { return state_ == State::kOpen && now >= next_probe_at_; }
  // Time until ProbeDue becomes true; Duration::max() when no probe is
  // scheduled (closed, or a probe is in flight).
  Duration TimeUntilProbe(TimePoint now) const;
  // If a probe is due, moves to half-open and returns true: the caller must
  // send exactly one /health request and report it. Otherwise false.
  bool TryStartProbe(TimePoint now);
  // Ignored unless a probe is in flight.
  void OnProbeResult(bool healthy, TimePoint now, double uniform01);

  // The k-th probe delay for a given uniform01 (see the class comment).
  Duration ProbeDelay(int k, double uniform01) const;
  // Upper bound on the probes started within `outage` after the breaker
  // opened, whatever the randomness and the probe latency.
  long MaxProbesWithin(Duration outage) const;

  State state() const { return state_; }
  int threshold() const { return threshold_; }
  int consecutive_failures() const { return consecutive_failures_; }
  int opens() const { return opens_; }
  int probes() const { return probes_; }
  // Time spent open or half-open up to `now`.
  Duration total_open_time(TimePoint now) const;

 private:
  void Open(TimePoint now, double uniform01);
  void Close(TimePoint now);

  int threshold_;
  Duration probe_base_;
  Duration probe_max_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  int failed_probes_ = 0;  // since the breaker last opened
  TimePoint next_probe_at_{};
  TimePoint opened_at_{};
  Duration closed_open_time_{0};
  int opens_ = 0;
  int probes_ = 0;
};

const char* CircuitStateName(CircuitBreaker::State s);

}  // namespace cnake::scheduler
