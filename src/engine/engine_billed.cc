// Engine: what a token-billed API without idempotency (the chat protocol)
// needs beyond the CnakeCharmer contract: the token budget, the provider's
// rate-limit headers, reported usage, and attempts committed before they are
// sent so that every attempt that may be billed is counted
// (docs/reliability.md, "Billed calls").
#include <spdlog/spdlog.h>

#include "engine/engine.h"
#include "scheduler/rate_limit_headers.h"

namespace cnake::engine {

std::int64_t Engine::TokenEstimate(const Job& job) const {
  return token_estimator_.Estimate(job.request_bytes);
}

Duration Engine::BudgetWait(const Job& job, TimePoint now) const {
  Duration wait = request_allowance_.AvailableAt(now, 1) - now;
  if (job.phase == JobPhase::kToSubmit && token_budget_.enabled()) {
    wait = std::max(wait, token_budget_.TimeUntilAvailable(now, TokenEstimate(job)));
  }
  return wait;
}

bool Engine::BudgetsAllow(const Job& job, TimePoint now) const {
  return BudgetWait(job, now) <= Duration::zero();
}

void Engine::TakeBudgets(Job& job, TimePoint now) {
  request_allowance_.Take(now, 1);
  if (job.phase != JobPhase::kToSubmit || !token_budget_.enabled()) return;
  // BudgetsAllow said yes at this `now` for this estimate, so it succeeds.
  // It counts in every window until NoteSubmitSent stamps its send time: a
  // chat attempt goes out only after its commit, which may take a while.
  job.reserved_tokens = TokenEstimate(job);
  job.token_reservation =
      token_budget_.TryReserve(now, job.reserved_tokens, /*until_sent=*/true).value_or(0);
}

void Engine::NoteSubmitSent(Job& job, TimePoint now) {
  if (job.token_reservation != 0) token_budget_.Restamp(job.token_reservation, now);
}

void Engine::RecordUsage(Job& job, const api::TokenUsage& usage) {
  if (!usage.reported()) return;
  const std::int64_t prompt = usage.prompt_tokens.value_or(0);
  const std::int64_t completion = usage.completion_tokens.value_or(0);
  // The submission's row is the newest of the request log (OnResponse).
  if (!pending_.requests.empty() && pending_.requests.back().entry_id == job.entry.id) {
    pending_.requests.back().prompt_tokens = usage.prompt_tokens;
    pending_.requests.back().completion_tokens = usage.completion_tokens;
  }
  stats_.prompt_tokens += prompt;
  stats_.completion_tokens += completion;
  if (!job.reported_usage) {
    job.reported_usage = true;
    ++stats_.entries_with_usage;
  }
  if (job.token_reservation != 0) token_budget_.Settle(job.token_reservation, prompt + completion);
  if (usage.prompt_tokens && usage.completion_tokens) {
    token_estimator_.Observe(job.request_bytes, prompt, completion);
  }
}

void Engine::ApplyProviderLimits(const api::Response& r, scheduler::Outcome* outcome,
                                 TimePoint now) {
  if (r.limit_headers.empty()) return;
  const scheduler::ProviderLimits limits =
      scheduler::ParseProviderLimits(r.limit_headers, options_.retry.max_retry_after);
  if (limits.remaining_requests && limits.reset_requests) {
    // Requests still in flight may not be counted in the figure yet.
    request_allowance_.Report(now, *limits.remaining_requests, *limits.reset_requests,
                              static_cast<std::int64_t>(transport_.in_flight()));
    if (limits.remaining_requests == 0) {
      limiter_.PauseUntil(now, AddSaturating(now, *limits.reset_requests));
    }
  }
  if (limits.remaining_tokens && limits.reset_tokens) {
    token_budget_.OnProviderReport(now, *limits.remaining_tokens, *limits.reset_tokens);
  }
  const bool throttled = outcome->http_status == 429 || outcome->http_status == 503;
  if (outcome->retry_after || !throttled) return;
  // Throttled without Retry-After: retry-after-ms, else wait for what ran out
  // to be back.
  outcome->retry_after = limits.retry_after_ms;
  if (outcome->http_status == 429 && !outcome->retry_after) {
    std::optional<Duration> wait;
    if (limits.remaining_requests == 0) wait = limits.reset_requests;
    if (limits.remaining_tokens == 0 && limits.reset_tokens) {
      wait = std::max(wait.value_or(Duration::zero()), *limits.reset_tokens);
    }
    outcome->retry_after = wait;
  }
}

void Engine::RecordAttempt(std::uint64_t tag, Job& job) {
  // Writes attempts = retries + 1 with the state "submitted"; the POST goes
  // out when this commit is done (OnCommitted), so a crash can never leave a
  // sent attempt unrecorded.
  Transition(job, JobPhase::kRecording, EntryState::kSubmitted);
  awaiting_commit_.push_back(tag);
}

bool Engine::PrepareAdmitted(std::uint64_t tag, Job& job) {
  if (token_budget_.enabled() && !job.entry.request_id) {
    // The estimate that decides admission is the one reserved: both need the
    // body's size before the first send.
    job.request_bytes = protocol_->BuildSubmit(SubmitInputFor(job)).body.size();
  }
  if (protocol_->idempotent_submit()) return true;
  const Entry& e = job.entry;
  if (e.state != EntryState::kSubmitted || e.request_id || e.attempts <= 0) return true;
  // A previous run committed this attempt and sent it, and no answer was
  // committed: it may have been billed. It counts as spent and is logged.
  ++stats_.interrupted_attempts;
  NotePending(clock_.Now());
  RequestLog row;
  row.entry_id = e.id;
  row.attempt = e.attempts;
  row.endpoint = "generate";
  row.error_type = "interrupted";
  row.occurred_at = clock_.WallNow();
  pending_.requests.push_back(std::move(row));
  if (e.attempts <= options_.retry.max_retries) {
    job.retries = e.attempts;  // the next attempt is e.attempts + 1
    return true;
  }
  job.retries = e.attempts - 1;  // Fail records retries + 1 attempts
  Fail(tag, job, "interrupted",
       "attempt " + std::to_string(e.attempts) +
           " was sent by a run that stopped before its answer arrived, and no retry is left "
           "(api.max_retries)",
       0, "generate");
  return false;
}

}  // namespace cnake::engine
