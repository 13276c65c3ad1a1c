// Tokens per minute, the way LLM providers limit them: a sliding window of
// reserved tokens, estimated before a request is sent and corrected with the
// usage its answer reports, plus the provider's own view of what is left
// (x-ratelimit-remaining-tokens). Pure: time is passed in; not thread-safe
// (owned by the engine's event loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "util/clock.h"

namespace cnake::scheduler {

// What a provider said is left of one of its budgets (requests or tokens)
// until its reset: at most `remaining` more units before then. Reports that
// arrive while one holds merge (the lower figure and the later reset win:
// answers of concurrent requests arrive in any order); a reset of zero, or
// the reset passing, ends it.
class ProviderAllowance {
 public:
  // `in_flight`: units sent before this report arrived and not answered yet;
  // the provider may not have counted them, so they are subtracted.
  void Report(TimePoint now, std::int64_t remaining, Duration reset, std::int64_t in_flight = 0);
  bool Allows(TimePoint now, std::int64_t units) const;
  void Take(TimePoint now, std::int64_t units);
  // When Allows(now, units) becomes true if nothing else is reported: now,
  // or the reset.
  TimePoint AvailableAt(TimePoint now, std::int64_t units) const;

 private:
  std::optional<std::int64_t> left_;
  TimePoint until_{};
};

struct TokenBudgetOptions {
  // The budget per window; 0 (or less, or not finite) disables the budget.
  double tokens_per_minute = 0;
  // The window the budget applies to. Providers use one minute; tests use a
  // shorter one so that several windows pass in seconds.
  Duration window = std::chrono::minutes(1);
};

// Admission rule: a request estimated at `e` tokens is admitted at time t
// when the tokens reserved in (t - window, t] plus e are at most the budget,
// or when nothing is reserved in that window (a single request larger than
// the whole budget still goes out, alone). So the reserved tokens in any
// window of that length are at most max(budget, one request). Reservations
// are corrected to the reported usage when the answer arrives (Settle), so
// the usage the API reports per window stays within the budget plus the
// estimates' error for the requests in flight; with api.max_tokens set the
// estimate is an upper bound of the completion, leaving only the prompt
// estimate's error (TokenEstimator).
//
// Provider reports (OnProviderReport): after an answer said R tokens remain
// until now + reset, at most R more tokens are reserved before that time. A
// later report replaces an earlier one.
class TokenBudget {
 public:
  using ReservationId = std::uint64_t;  // 0 is never a valid id

  TokenBudget(const TokenBudgetOptions& options, TimePoint now);

  bool enabled() const { return enabled_; }
  double tokens_per_minute() const { return budget_; }

  // Reserves `estimate` tokens at `now` when the rule above allows; nullopt
  // otherwise. Always succeeds when the budget is disabled. With
  // `until_sent`, the request goes out later (after its attempt's commit):
  // until Restamp gives it its send time, the reservation counts in every
  // window, so no reservation admitted meanwhile can share a window with it
  // beyond the budget, and it never leaves the window unsent. A reservation
  // taken this way that is never sent keeps its tokens reserved.
  std::optional<ReservationId> TryReserve(TimePoint now, std::int64_t estimate,
                                          bool until_sent = false);
  // How long until TryReserve(estimate) would succeed, assuming nothing else
  // is reserved or settled meanwhile.
  Duration TimeUntilAvailable(TimePoint now, std::int64_t estimate) const;
  // Moves a reservation to `now`: it counts from when its request goes out
  // (a request may wait for its attempt's commit after reserving).
  void Restamp(ReservationId id, TimePoint now);
  // Replaces a reservation's estimate with the tokens actually used. A
  // reservation that has left the window is no longer counted; settling it
  // does nothing.
  void Settle(ReservationId id, std::int64_t actual);
  // The request of a reservation was answered (with or without usage): it
  // is no longer in flight.
  void MarkAnswered(ReservationId id);
  // A provider said `remaining` tokens are left until now + reset. The
  // reservations still in flight may not be counted in it, so they are
  // subtracted.
  void OnProviderReport(TimePoint now, std::int64_t remaining, Duration reset);

  // Tokens reserved in (now - window, now].
  std::int64_t ReservedInWindow(TimePoint now) const;

 private:
  struct Charge {
    TimePoint at;
    std::int64_t tokens;
    ReservationId id;
    bool answered = false;
    bool unsent = false;  // TryReserve(until_sent) not yet Restamped: in every window
  };
  void Prune(TimePoint now);
  // The time the window rule admits `estimate`, at or after `now`.
  TimePoint WindowAdmits(TimePoint now, std::int64_t estimate) const;

  bool enabled_;
  double budget_;
  Duration window_;
  std::deque<Charge> charges_;  // by time
  ReservationId next_id_ = 1;
  ProviderAllowance provider_;
  TimePoint last_now_;
};

// Estimates a chat request's tokens before it is sent (the provider's own
// accounting counts the prompt plus the requested completion limit):
//
//   estimate = kOverheadTokens + ceil(tokens_per_byte * request_bytes) + completion
//
// `request_bytes` is the request body's size (system prompt, user message and
// JSON framing). tokens_per_byte starts at 1/3 (code tokenises at 3 to 4
// bytes per token with the common BPE vocabularies; the JSON framing is
// counted too, so this overestimates) and then follows the largest ratio
// observed in reported usage, so estimates err on the high side. completion
// is api.max_tokens when set (an upper bound), else the prompt estimate
// times the largest completion/prompt ratio observed (1 until the first
// report), at least kMinCompletionTokens.
class TokenEstimator {
 public:
  static constexpr std::int64_t kOverheadTokens = 16;
  static constexpr std::int64_t kMinCompletionTokens = 256;

  explicit TokenEstimator(std::int64_t max_completion_tokens = 0);

  std::int64_t Estimate(std::size_t request_bytes) const;
  // Reported usage of a request of `request_bytes`.
  void Observe(std::size_t request_bytes, std::int64_t prompt_tokens,
               std::int64_t completion_tokens);

  double tokens_per_byte() const { return tokens_per_byte_; }

 private:
  std::int64_t PromptEstimate(std::size_t request_bytes) const;

  std::int64_t max_completion_;
  double tokens_per_byte_ = 1.0 / 3;
  bool observed_ = false;
  double completion_ratio_ = 1.0;
};

}  // namespace cnake::scheduler
