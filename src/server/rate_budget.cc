#include "server/rate_budget.h"

#include <algorithm>
#include <cmath>

#include "server/chat_contract.h"

namespace cnake::server {

RateBudget::RateBudget(std::int64_t requests_per_window, std::int64_t tokens_per_window,
                       Clock* clock, Micros window)
    : clock_(clock), window_us_(static_cast<double>(std::max<Micros>(window, Micros(1)).count())) {
  const MonoTime now = clock_->Now();
  requests_ = {std::max<std::int64_t>(requests_per_window, 0),
               static_cast<double>(std::max<std::int64_t>(requests_per_window, 0)), now};
  tokens_ = {std::max<std::int64_t>(tokens_per_window, 0),
             static_cast<double>(std::max<std::int64_t>(tokens_per_window, 0)), now};
}

void RateBudget::Refill(Bucket& b, MonoTime now) const {
  if (b.limit <= 0 || now <= b.at) return;
  const double us = std::chrono::duration<double, std::micro>(now - b.at).count();
  b.level = std::min(static_cast<double>(b.limit), b.level + us * b.limit / window_us_);
  b.at = now;
}

void RateBudget::AddHeaders(const Bucket& b, const char* name, Verdict* v) const {
  if (b.limit <= 0) return;
  const std::string n(name);
  const double missing = static_cast<double>(b.limit) - b.level;
  const auto reset = Micros(static_cast<std::int64_t>(std::ceil(missing * window_us_ / b.limit)));
  v->headers.emplace_back("x-ratelimit-limit-" + n, std::to_string(b.limit));
  v->headers.emplace_back("x-ratelimit-remaining-" + n,
                          std::to_string(static_cast<std::int64_t>(std::floor(b.level))));
  v->headers.emplace_back("x-ratelimit-reset-" + n, FormatResetDuration(reset));
}

RateBudget::Verdict RateBudget::Take(std::int64_t tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  const MonoTime now = clock_->Now();
  Refill(requests_, now);
  Refill(tokens_, now);
  Verdict v;
  if (requests_.limit > 0 && requests_.level < 1) {
    v.allowed = false;
    v.exhausted = "requests";
  } else if (tokens_.limit > 0 &&
             tokens_.level < static_cast<double>(std::min(tokens, tokens_.limit))) {
    // (A request larger than the whole budget needs a full bucket, and then
    // leaves it in debt.)
    v.allowed = false;
    v.exhausted = "tokens";
  } else {
    if (requests_.limit > 0) requests_.level -= 1;
    if (tokens_.limit > 0) tokens_.level -= static_cast<double>(tokens);
  }
  AddHeaders(requests_, "requests", &v);
  AddHeaders(tokens_, "tokens", &v);
  return v;
}

void RateBudget::Refund(std::int64_t tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tokens_.limit <= 0 || tokens <= 0) return;
  tokens_.level = std::min(static_cast<double>(tokens_.limit), tokens_.level + tokens);
}

}  // namespace cnake::server
