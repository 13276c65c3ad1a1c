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
  o.settle_factor = ClampFinite(o.settle_factor, 0, 1, 0.9);
  o.observe_window = std::max(o.observe_window, Duration(std::chrono::milliseconds(100)));
  o.min_observed = std::max(o.min_observed, 2);
  o.firm_span = std::max(o.firm_span, Duration::zero());
  o.decrease_factor = ClampFinite(o.decrease_factor, 0, 1, 0.5);
  o.min_rpm = ClampFinite(o.min_rpm, 1e-3, 1e9, 1);
  o.min_fraction = ClampFinite(o.min_fraction, 0, 1, 0.01);
  o.max_floor_rpm = ClampFinite(o.max_floor_rpm, o.min_rpm, 1e9, 6);
  o.decrease_holdoff = std::max(o.decrease_holdoff, Duration::zero());
  o.increase_interval = std::max(o.increase_interval, Duration::zero());
  o.near_ceiling_step = ClampFinite(o.near_ceiling_step, 1e-3, 1, 0.02);
  o.hold_factor = ClampFinite(o.hold_factor, 0, 1, 0.97);
  o.ceiling_hold = std::max(o.ceiling_hold, Duration::zero());
  o.increase_fraction = ClampFinite(o.increase_fraction, 1e-3, 1, 0.05);
  return o;
}

double FloorRpm(const RateLimiterOptions& o, double share) {
  const double configured = std::max(1e-3, o.requests_per_minute * share);
  const double fraction = std::min(o.min_fraction * configured, o.max_floor_rpm * share);
  return std::min(configured, std::max(o.min_rpm * share, fraction));
}

}  // namespace

RateLimiter::RateLimiter(double requests_per_minute, int burst, TimePoint now)
    : RateLimiter(RateLimiterOptions{.requests_per_minute = requests_per_minute, .burst = burst},
                  now) {}

RateLimiter::RateLimiter(const RateLimiterOptions& options, TimePoint now)
    : options_(Sanitize(options)),
      configured_rpm_(options_.requests_per_minute),
      floor_rpm_(FloorRpm(options_, 1.0)),
      ceiling_rpm_(configured_rpm_),
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

std::optional<RateLimiter::Accepted> RateLimiter::AcceptedRpm(TimePoint now) const {
  const std::size_t held = std::min(answer_count_, kAnswerHistory);
  std::size_t n = 0;
  Answer oldest{now, total_paused(now)};
  for (; n < held; ++n) {
    const Answer& a = answers_[(answer_count_ - 1 - n) % kAnswerHistory];
    if (now - a.at > options_.observe_window) break;
    oldest = a;
  }
  if (n < static_cast<std::size_t>(options_.min_observed)) return std::nullopt;
  const Duration wall = now - oldest.at;
  // At least a second, so that the first answers of a run, which come back
  // together, do not read as a rate no API allows; a full ring may span
  // less (a fast API).
  const Duration span =
      n == kAnswerHistory ? wall : std::max(wall, Duration(std::chrono::seconds(1)));
  if (span <= Duration::zero()) return std::nullopt;
  // A pause in the window lowers the rate below what the API accepts while
  // it is sent to; leaving the pause out would raise it above (the answers
  // of a burst come back together just as the pause starts).
  const bool paused_within = total_paused(now) > oldest.paused;
  return Accepted{static_cast<double>(n) * 60e9 / static_cast<double>(span.count()),
                  wall >= options_.firm_span && !paused_within};
}

void RateLimiter::Decrease(TimePoint now) {
  const std::optional<Accepted> accepted = in_episode_ ? std::nullopt : AcceptedRpm(now);
  if (accepted) {
    ceiling_rpm_ = std::max(std::min(current_rpm_, accepted->rpm), options_.min_rpm * share_);
    ceiling_kind_ = accepted->firm ? Ceiling::kFirm : Ceiling::kTentative;
    current_rpm_ = ceiling_rpm_ * options_.settle_factor;
    in_episode_ = true;
    probes_ = 0;
  } else {
    current_rpm_ *= options_.decrease_factor;
  }
  current_rpm_ = std::clamp(current_rpm_, floor_rpm_, configured_rpm_);
  at_ceiling_since_.reset();
  last_decrease_ = now;
}

void RateLimiter::OnThrottled(TimePoint now, std::optional<Duration> retry_after) {
  Refill(now);
  now = last_refill_;
  ++throttles_;
  if (!last_decrease_ || now - *last_decrease_ >= options_.decrease_holdoff) Decrease(now);
  last_change_ = now;  // recovery starts a full interval after the last throttle
  tokens_ = std::min(tokens_, 0.0);
  if (retry_after) {
    PauseUntil(now, AddSaturating(now, std::max(*retry_after, Duration::zero())));
  }
}

void RateLimiter::Increase(TimePoint now) {
  const double settled = options_.settle_factor * ceiling_rpm_;
  const double held = ceiling_kind_ == Ceiling::kConfigured
                          ? ceiling_rpm_
                          : std::max(settled, options_.hold_factor * ceiling_rpm_);
  if (current_rpm_ < settled) {
    current_rpm_ = std::min(settled, current_rpm_ * 2);
  } else if (current_rpm_ < held) {
    current_rpm_ = std::min(held, current_rpm_ + options_.near_ceiling_step * ceiling_rpm_);
  } else {
    if (!at_ceiling_since_) at_ceiling_since_ = now;
    if (ceiling_kind_ == Ceiling::kFirm && now - *at_ceiling_since_ < options_.ceiling_hold) return;
    const double step = options_.increase_fraction * std::ldexp(1.0, std::min(probes_, 16));
    current_rpm_ *= 1 + std::min(step, 1.0);
    ++probes_;
  }
  current_rpm_ = std::min(current_rpm_, configured_rpm_);
}

void RateLimiter::OnSuccess(TimePoint now) {
  Refill(now);  // tokens so far accrued at the old rate
  now = last_refill_;
  answers_[answer_count_++ % kAnswerHistory] = {now, total_paused(now)};
  if (current_rpm_ >= configured_rpm_ || now - last_change_ < options_.increase_interval) return;
  Increase(now);
  in_episode_ = false;
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
  const double configured = std::max(1e-3, options_.requests_per_minute * share);
  const double scale = configured / configured_rpm_;  // what was learned scales with the share
  share_ = share;
  configured_rpm_ = configured;
  ceiling_rpm_ *= scale;
  floor_rpm_ = FloorRpm(options_, share);
  current_rpm_ = std::clamp(current_rpm_ * scale, floor_rpm_, configured_rpm_);
  burst_ = std::max(1, static_cast<int>(std::floor(options_.burst * share + 1e-9)));
  tokens_ = was_blocked ? 1.0 : std::min(tokens_, static_cast<double>(burst_));
  last_refill_ = now;
}

Duration RateLimiter::total_paused(TimePoint now) const {
  const Duration current = std::min(now, paused_until_) - pause_started_;
  return closed_pauses_ + std::max(current, Duration::zero());
}

}  // namespace cnake::scheduler
