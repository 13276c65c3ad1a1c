#include "scheduler/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace cnake::scheduler {
namespace {

// Token counts are doubles; a token that is due "exactly now" may be short
// by rounding error. Granting it is worth far less than 1e-9 tokens of
// accuracy, and the debt is carried (tokens may go slightly negative).
constexpr double kTokenEpsilon = 1e-9;

double ClampFinite(double v, double lo, double hi, double fallback) {
  if (std::isnan(v)) return fallback;
  return std::clamp(v, lo, hi);
}

RateLimiterOptions Sanitize(RateLimiterOptions o) {
  o.requests_per_minute = ClampFinite(o.requests_per_minute, 1e-3, 1e9, 60);
  o.burst = std::max(o.burst, 1);
  o.decrease_factor = ClampFinite(o.decrease_factor, 0, 1, 0.5);
  o.min_rpm = ClampFinite(o.min_rpm, 1e-3, 1e9, 1);
  o.min_fraction = ClampFinite(o.min_fraction, 0, 1, 0.01);
  o.decrease_holdoff = std::max(o.decrease_holdoff, Duration::zero());
  o.increase_interval = std::max(o.increase_interval, Duration::zero());
  o.increase_fraction = ClampFinite(o.increase_fraction, 1e-3, 1, 0.05);
  return o;
}

}  // namespace

RateLimiter::RateLimiter(double requests_per_minute, int burst, TimePoint now)
    : RateLimiter(RateLimiterOptions{.requests_per_minute = requests_per_minute, .burst = burst},
                  now) {}

RateLimiter::RateLimiter(const RateLimiterOptions& options, TimePoint now)
    : options_(Sanitize(options)),
      configured_rpm_(options_.requests_per_minute),
      floor_rpm_(std::min(configured_rpm_,
                          std::max(options_.min_rpm, options_.min_fraction * configured_rpm_))),
      current_rpm_(configured_rpm_),
      burst_(options_.burst),
      tokens_(1.0),
      last_refill_(now),
      paused_until_(now),
      pause_started_(now),
      last_change_(now) {}

RateLimiter::Bucket RateLimiter::Project(TimePoint now) const {
  Bucket b{tokens_, last_refill_};
  if (now <= b.at) return b;
  const double rate = TokensPerNanosecond();
  if (b.at < paused_until_) {
    const TimePoint end = std::min(now, paused_until_);
    b.tokens = std::min(1.0, b.tokens + rate * static_cast<double>((end - b.at).count()));
    b.at = end;
  }
  if (now > b.at) {
    b.tokens = std::min(static_cast<double>(burst_),
                        b.tokens + rate * static_cast<double>((now - b.at).count()));
    b.at = now;
  }
  return b;
}

void RateLimiter::Refill(TimePoint now) {
  const Bucket b = Project(now);
  tokens_ = b.tokens;
  last_refill_ = b.at;
}

bool RateLimiter::TryAcquire(TimePoint now) {
  if (share_ <= 0) return false;
  Refill(now);
  if (last_refill_ < paused_until_) return false;
  if (tokens_ < 1.0 - kTokenEpsilon) return false;
  tokens_ -= 1.0;
  return true;
}

Duration RateLimiter::TimeUntilAvailable(TimePoint now) const {
  if (share_ <= 0) return std::chrono::hours(1);  // until a SetShare: callers poll anyway
  now = std::max(now, last_refill_);
  const TimePoint start = std::max(now, paused_until_);
  const Bucket b = Project(start);
  if (b.tokens >= 1.0 - kTokenEpsilon) return start - now;
  const double missing_ns = std::ceil((1.0 - b.tokens) / TokensPerNanosecond());
  return (start - now) + Duration(static_cast<Duration::rep>(missing_ns));
}

void RateLimiter::OnThrottled(TimePoint now, std::optional<Duration> retry_after) {
  Refill(now);
  now = last_refill_;
  ++throttles_;
  const bool in_holdoff = last_decrease_ && now - *last_decrease_ < options_.decrease_holdoff;
  if (!in_holdoff) {
    current_rpm_ = std::max(floor_rpm_, current_rpm_ * options_.decrease_factor);
    last_decrease_ = now;
  }
  last_change_ = now;  // recovery starts a full interval after the last throttle
  tokens_ = std::min(tokens_, 0.0);
  if (retry_after) {
    PauseUntil(now, AddSaturating(now, std::max(*retry_after, Duration::zero())));
  }
}

void RateLimiter::OnSuccess(TimePoint now) {
  Refill(now);  // tokens so far accrued at the old rate
  now = last_refill_;
  if (current_rpm_ >= configured_rpm_ || now - last_change_ < options_.increase_interval) return;
  current_rpm_ =
      std::min(configured_rpm_, current_rpm_ + options_.increase_fraction * configured_rpm_);
  last_change_ = now;
}

void RateLimiter::PauseUntil(TimePoint now, TimePoint until) {
  Refill(now);
  now = last_refill_;
  if (until <= now || until <= paused_until_) return;
  if (now >= paused_until_) {  // a new pause, not an extension
    closed_pauses_ += paused_until_ - pause_started_;
    pause_started_ = now;
  }
  paused_until_ = until;
  tokens_ = std::min(tokens_, 1.0);
}

void RateLimiter::SetShare(TimePoint now, double share) {
  share = std::isnan(share) ? 1.0 : std::clamp(share, 0.0, 1.0);
  if (share == share_) return;
  if (share_ > 0) Refill(now);  // tokens so far accrued at the old rate
  now = std::max(now, last_refill_);
  if (share <= 0) {
    share_ = 0;
    tokens_ = 0;
    last_refill_ = now;
    return;
  }
  const bool was_blocked = share_ <= 0;
  const double old_configured = configured_rpm_;
  share_ = share;
  configured_rpm_ = std::max(1e-3, options_.requests_per_minute * share);
  floor_rpm_ = std::min(
      configured_rpm_, std::max(options_.min_rpm * share, options_.min_fraction * configured_rpm_));
  current_rpm_ =
      std::clamp(current_rpm_ * configured_rpm_ / old_configured, floor_rpm_, configured_rpm_);
  burst_ = std::max(1, static_cast<int>(std::floor(options_.burst * share + 1e-9)));
  tokens_ = was_blocked ? 1.0 : std::min(tokens_, static_cast<double>(burst_));
  last_refill_ = now;
}

Duration RateLimiter::total_paused(TimePoint now) const {
  const Duration current = std::min(now, paused_until_) - pause_started_;
  return closed_pauses_ + std::max(current, Duration::zero());
}

}  // namespace cnake::scheduler
