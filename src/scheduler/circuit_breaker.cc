#include "scheduler/circuit_breaker.h"

#include <algorithm>
#include <limits>

#include "scheduler/backoff.h"

namespace cnake::scheduler {

CircuitBreaker::CircuitBreaker(int threshold, Duration probe_base, Duration probe_max)
    : threshold_(threshold),
      probe_base_(std::max<Duration>(probe_base, std::chrono::milliseconds(1))),
      probe_max_(std::max(probe_max, probe_base_)) {}

void CircuitBreaker::OnTransientFailure(TimePoint now, double uniform01) {
  if (state_ != State::kClosed || threshold_ <= 0) return;
  if (++consecutive_failures_ >= threshold_) Open(now, uniform01);
}

void CircuitBreaker::OnSuccess(TimePoint now) {
  consecutive_failures_ = 0;
  if (state_ != State::kClosed) Close(now);
}

Duration CircuitBreaker::TimeUntilProbe(TimePoint now) const {
  if (state_ != State::kOpen) return Duration::max();
  return std::max(next_probe_at_ - now, Duration::zero());
}

bool CircuitBreaker::TryStartProbe(TimePoint now) {
  if (!ProbeDue(now)) return false;
  state_ = State::kHalfOpen;
  ++probes_;
  return true;
}

void CircuitBreaker::OnProbeResult(bool healthy, TimePoint now, double uniform01) {
  if (state_ != State::kHalfOpen) return;
  if (healthy) {
    Close(now);
    return;
  }
  state_ = State::kOpen;
  ++failed_probes_;
  next_probe_at_ = AddSaturating(now, ProbeDelay(failed_probes_, uniform01));
}

Duration CircuitBreaker::ProbeDelay(int k, double uniform01) const {
  const Duration cap = BackoffCap(probe_base_, probe_max_, k);
  const Duration half = cap / 2;
  // Integer halves so that the documented lower bound (cap / 2) is exact.
  return half + ScaleDuration(cap - half, uniform01);
}

long CircuitBreaker::MaxProbesWithin(Duration outage) const {
  // Probe n starts no earlier than sum_{k<=n} cap_k / 2 after opening.
  long count = 0;
  Duration elapsed{0};
  for (int k = 0;; ++k) {
    const Duration cap = BackoffCap(probe_base_, probe_max_, k);
    const Duration min_delay = cap / 2;
    if (cap == probe_max_) {
      // Every later interval is the same: count them arithmetically.
      if (outage < elapsed + min_delay) return count;
      return count + 1 + static_cast<long>((outage - elapsed - min_delay) / min_delay);
    }
    elapsed += min_delay;
    if (elapsed > outage) return count;
    ++count;
  }
}

Duration CircuitBreaker::total_open_time(TimePoint now) const {
  if (state_ == State::kClosed) return closed_open_time_;
  return closed_open_time_ + std::max(now - opened_at_, Duration::zero());
}

void CircuitBreaker::Open(TimePoint now, double uniform01) {
  state_ = State::kOpen;
  ++opens_;
  failed_probes_ = 0;
  opened_at_ = now;
  next_probe_at_ = AddSaturating(now, ProbeDelay(0, uniform01));
}

void CircuitBreaker::Close(TimePoint now) {
  closed_open_time_ += std::max(now - opened_at_, Duration::zero());
  state_ = State::kClosed;
  consecutive_failures_ = 0;
}

const char* CircuitStateName(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

}  // namespace cnake::scheduler
