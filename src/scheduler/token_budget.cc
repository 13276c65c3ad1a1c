#include "scheduler/token_budget.h"

#include <algorithm>
#include <cmath>

namespace cnake::scheduler {

void ProviderAllowance::Report(TimePoint now, std::int64_t remaining, Duration reset,
                               std::int64_t in_flight) {
  if (reset <= Duration::zero()) {
    left_.reset();  // the budget is full again already
    return;
  }
  const std::int64_t left =
      std::max<std::int64_t>(remaining - std::max<std::int64_t>(in_flight, 0), 0);
  const TimePoint until = AddSaturating(now, reset);
  if (left_ && now < until_) {
    // Answers of concurrent requests arrive in any order: an older figure can
    // come last. While a report holds, the lower figure and the later reset win.
    left_ = std::min(*left_, left);
    until_ = std::max(until_, until);
    return;
  }
  left_ = left;
  until_ = until;
}

bool ProviderAllowance::Allows(TimePoint now, std::int64_t units) const {
  return !left_ || now >= until_ || *left_ >= units;
}

void ProviderAllowance::Take(TimePoint now, std::int64_t units) {
  if (!left_) return;
  if (now >= until_) {
    left_.reset();
    return;
  }
  *left_ = std::max<std::int64_t>(*left_ - units, 0);
}

TimePoint ProviderAllowance::AvailableAt(TimePoint now, std::int64_t units) const {
  return Allows(now, units) ? now : until_;
}

TokenBudget::TokenBudget(const TokenBudgetOptions& options, TimePoint now)
    : enabled_(std::isfinite(options.tokens_per_minute) && options.tokens_per_minute > 0 &&
               options.window > Duration::zero()),
      budget_(enabled_ ? options.tokens_per_minute : 0),
      window_(options.window > Duration::zero() ? options.window : std::chrono::minutes(1)),
      last_now_(now) {}

void TokenBudget::Prune(TimePoint now) {
  while (!charges_.empty() && !charges_.front().unsent && charges_.front().at <= now - window_) {
    charges_.pop_front();
  }
}

std::int64_t TokenBudget::ReservedInWindow(TimePoint now) const {
  std::int64_t used = 0;
  for (const Charge& c : charges_) {
    if (c.unsent || c.at > now - window_) used += c.tokens;
  }
  return used;
}

TimePoint TokenBudget::WindowAdmits(TimePoint now, std::int64_t estimate) const {
  std::int64_t used = ReservedInWindow(now);
  auto fits = [&](std::int64_t u) {
    return u == 0 || static_cast<double>(u) + static_cast<double>(estimate) <= budget_;
  };
  if (fits(used)) return now;
  for (const Charge& c : charges_) {
    if (c.unsent || c.at <= now - window_) continue;  // an unsent one never leaves
    used -= c.tokens;
    if (fits(used)) return c.at + window_;
  }
  // Only unsent reservations are left, and they do not fit with it: not
  // before one of them is sent.
  return TimePoint::max();
}

std::optional<TokenBudget::ReservationId> TokenBudget::TryReserve(TimePoint now,
                                                                  std::int64_t estimate,
                                                                  bool until_sent) {
  now = std::max(now, last_now_);
  last_now_ = now;
  estimate = std::max<std::int64_t>(estimate, 0);
  if (!enabled_) return next_id_++;
  Prune(now);
  if (!provider_.Allows(now, estimate)) return std::nullopt;
  if (WindowAdmits(now, estimate) > now) return std::nullopt;
  const ReservationId id = next_id_++;
  charges_.push_back({now, estimate, id, false, until_sent});
  provider_.Take(now, estimate);
  return id;
}

Duration TokenBudget::TimeUntilAvailable(TimePoint now, std::int64_t estimate) const {
  if (!enabled_) return Duration::zero();
  now = std::max(now, last_now_);
  estimate = std::max<std::int64_t>(estimate, 0);
  return std::max(WindowAdmits(now, estimate), provider_.AvailableAt(now, estimate)) - now;
}

void TokenBudget::Settle(ReservationId id, std::int64_t actual) {
  for (auto it = charges_.rbegin(); it != charges_.rend(); ++it) {
    if (it->id == id) {
      it->tokens = std::max<std::int64_t>(actual, 0);
      return;
    }
  }
}

void TokenBudget::Restamp(ReservationId id, TimePoint now) {
  now = std::max(now, last_now_);
  last_now_ = now;
  for (auto it = charges_.begin(); it != charges_.end(); ++it) {
    if (it->id != id) continue;
    Charge moved = *it;
    moved.at = now;
    moved.unsent = false;
    charges_.erase(it);
    charges_.push_back(moved);  // `now` is the latest time seen: the order holds
    return;
  }
}

void TokenBudget::MarkAnswered(ReservationId id) {
  for (auto it = charges_.rbegin(); it != charges_.rend(); ++it) {
    if (it->id == id) {
      it->answered = true;
      return;
    }
  }
}

void TokenBudget::OnProviderReport(TimePoint now, std::int64_t remaining, Duration reset) {
  now = std::max(now, last_now_);
  std::int64_t in_flight = 0;
  for (const Charge& c : charges_) {
    if (!c.answered) in_flight += c.tokens;
  }
  provider_.Report(now, remaining, reset, in_flight);
}

TokenEstimator::TokenEstimator(std::int64_t max_completion_tokens)
    : max_completion_(std::max<std::int64_t>(max_completion_tokens, 0)) {}

std::int64_t TokenEstimator::PromptEstimate(std::size_t request_bytes) const {
  return kOverheadTokens + static_cast<std::int64_t>(
                               std::ceil(tokens_per_byte_ * static_cast<double>(request_bytes)));
}

std::int64_t TokenEstimator::Estimate(std::size_t request_bytes) const {
  const std::int64_t prompt = PromptEstimate(request_bytes);
  if (max_completion_ > 0) return prompt + max_completion_;
  const auto completion =
      static_cast<std::int64_t>(std::ceil(completion_ratio_ * static_cast<double>(prompt)));
  return prompt + std::max(kMinCompletionTokens, completion);
}

void TokenEstimator::Observe(std::size_t request_bytes, std::int64_t prompt_tokens,
                             std::int64_t completion_tokens) {
  if (request_bytes == 0 || prompt_tokens <= 0) return;
  const double per_byte =
      std::clamp(static_cast<double>(std::max<std::int64_t>(prompt_tokens - kOverheadTokens, 0)) /
                     static_cast<double>(request_bytes),
                 1e-3, 4.0);
  const double ratio = std::clamp(
      static_cast<double>(std::max<std::int64_t>(completion_tokens, 0)) / prompt_tokens, 0.0, 1e3);
  tokens_per_byte_ = observed_ ? std::max(tokens_per_byte_, per_byte) : per_byte;
  completion_ratio_ = observed_ ? std::max(completion_ratio_, ratio) : ratio;
  observed_ = true;
}

}  // namespace cnake::scheduler
