// Engine: turning each finished HTTP exchange into the next step of its job.
#include <spdlog/spdlog.h>

#include "api/api_paths.h"
#include "api/api_probe.h"
#include "engine/engine.h"
#include "scheduler/deadline.h"
#include "scheduler/retry_after.h"
#include "util/crash_point.h"

namespace cnake::engine {

using scheduler::Action;
using scheduler::Endpoint;
using scheduler::Outcome;
using scheduler::TransportError;

namespace {

const char* EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kSubmit:
      return "generate";
    case Endpoint::kStatus:
      return "status";
    case Endpoint::kResult:
      return "results";
    case Endpoint::kHealth:
      return "health";
  }
  return "?";
}

bool Is2xx(int status) { return status >= 200 && status < 300; }

Outcome OutcomeOf(const api::Response& r, const api::Protocol& protocol, const Clock& clock,
                  Duration max_retry_after) {
  Outcome o;
  o.endpoint = r.endpoint;
  o.transport = r.transport;
  o.http_status = r.http_status;
  if (r.retry_after)
    o.retry_after = scheduler::ParseRetryAfter(*r.retry_after, clock.WallNow(), max_retry_after);
  protocol.Annotate(r, &o);
  return o;
}

std::string Describe(const api::Response& r) {
  if (r.transport != TransportError::kNone) return r.error.empty() ? "transport error" : r.error;
  std::string detail = api::ParseErrorDetail(r.body);
  return "HTTP " + std::to_string(r.http_status) + (detail.empty() ? "" : ": " + detail);
}

}  // namespace

void Engine::Observe(const Outcome& outcome, TimePoint now, bool got_response) {
  if (outcome.http_status == 429) {
    limiter_.OnThrottled(now, outcome.retry_after);
  } else if (outcome.retry_after && got_response) {
    limiter_.PauseUntil(now, AddSaturating(now, *outcome.retry_after));
  } else if (got_response) {
    limiter_.OnSuccess(now);
  }
  if (scheduler::IndicatesOutage(outcome)) {
    breaker_.OnTransientFailure(now, rng_.Uniform01());
  } else if (got_response) {
    breaker_.OnSuccess(now);
  }
}

void Engine::OnResponse(const api::Response& r, TimePoint now) {
  if (r.tag == kProbeTag) return OnProbeResponse(r, now);
  auto it = jobs_.find(r.tag);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  const double ms = std::chrono::duration<double, std::milli>(r.latency).count();
  job.last_latency_ms = ms;
  stats_.latency.Add(ms);
  Outcome outcome = OutcomeOf(r, *protocol_, clock_, options_.retry.max_retry_after);
  if (r.endpoint == Endpoint::kSubmit && job.token_reservation != 0) {
    token_budget_.MarkAnswered(job.token_reservation);
  }
  ApplyProviderLimits(r, &outcome, now);
  const bool ok = r.transport == TransportError::kNone && Is2xx(r.http_status);
  NotePending(now);
  pending_.requests.push_back(
      {job.entry.id, job.retries + 1, EndpointName(r.endpoint), r.http_status, ms,
       ok ? std::string() : scheduler::ErrorType(outcome), clock_.WallNow()});
  if (!ok) return OnFailure(r.tag, job, outcome, Describe(r), now);
  Observe(outcome, now, true);
  switch (r.endpoint) {
    case Endpoint::kSubmit:
      return OnSubmitOk(r.tag, job, r, now);
    case Endpoint::kStatus:
      return OnStatusOk(r.tag, job, r, now);
    case Endpoint::kResult: {
      auto result = protocol_->ParseResult(r.body);
      if (!result.ok()) {
        outcome.body_malformed = true;
        return OnFailure(r.tag, job, outcome, result.status().message(), now);
      }
      return OnResultOk(r.tag, job, *result, now);
    }
    case Endpoint::kHealth:
      return;
  }
}

void Engine::OnProbeResponse(const api::Response& r, TimePoint now) {
  probe_in_flight_ = false;
  const bool healthy =
      r.transport == TransportError::kNone && r.http_status > 0 && r.http_status < 500;
  breaker_.OnProbeResult(healthy, now, rng_.Uniform01());
  if (r.http_status == 401 || r.http_status == 403) {
    fatal_ = StopReason::kAuthFailed;
    fatal_message_ =
        "authentication failed (HTTP " + std::to_string(r.http_status) + "): check CNAKE_API_KEY";
  }
}

void Engine::OnSubmitOk(std::uint64_t tag, Job& job, const api::Response& r, TimePoint now) {
  auto parsed = protocol_->ParseSubmit(r.body);
  if (!parsed.ok()) {
    Outcome o = OutcomeOf(r, *protocol_, clock_, options_.retry.max_retry_after);
    o.body_malformed = true;
    return OnFailure(tag, job, o, parsed.status().message(), now);
  }
  if (auto* result = std::get_if<api::ResultResponse>(&*parsed)) {
    RecordUsage(job, result->usage);
    return OnResultOk(tag, job, *result, now);  // a synchronous server, or a chat reply
  }
  const api::SubmitAccepted& accepted = std::get<api::SubmitAccepted>(*parsed);
  const std::string& id = accepted.request_id;
  if (!api::IsAcceptableRequestId(id)) {
    return Fail(tag, job, "invalid_request_id",
                "the API returned an unusable request_id (" + std::to_string(id.size()) +
                    " bytes); refusing to put it in a URL",
                r.http_status, "generate");
  }
  job.entry.request_id = id;
  submissions_accepted_ = true;
  job.polls = 0;
  job.first_check_seen = false;
  PlanFirstCheck(job, accepted.eta_seconds, now);
  NotePending(now);
  pending_.submitted.push_back(SubmittedOf(job));
  Transition(job, JobPhase::kCommitting);
  NoteWritten(job, EntryState::kSubmitted);  // the Submitted row writes it
  // The job waits for its request_id's record where the store keeps one,
  // else for its commit; either way the earliest first check sets when.
  auto& waiting = records_submissions_ ? awaiting_record_ : awaiting_commit_;
  TimePoint& earliest = records_submissions_ ? earliest_record_check_ : earliest_first_check_;
  if (waiting.empty() || job.first_check_due < earliest) earliest = job.first_check_due;
  waiting.push_back(tag);
  CrashPoint("before_request_id_commit");
}

void Engine::OnStatusOk(std::uint64_t tag, Job& job, const api::Response& r, TimePoint now) {
  auto parsed = protocol_->ParseStatus(r.body);
  if (!parsed.ok()) {
    Outcome o = OutcomeOf(r, *protocol_, clock_, options_.retry.max_retry_after);
    o.body_malformed = true;
    return OnFailure(tag, job, o, parsed.status().message(), now);
  }
  const bool done =
      parsed->status == api::JobStatus::kCompleted || parsed->status == api::JobStatus::kFailed;
  const bool first_check = !job.first_check_seen;
  NoteFirstCheck(job, done);
  if (!done) first_checks_.RecordUnfinishedAnswer(parsed->eta_seconds.has_value());
  if (parsed->eta_seconds) job.learning.eta_seen = true;
  if (WithoutEtas(job)) {
    LearnFromCheck(job, done, now);
  } else if (job.accepted && ((first_check && done) || (!done && parsed->eta_seconds))) {
    // Done at its first check: by then at the latest, which is what tells
    // that jobs became faster than the history says.
    first_checks_.RecordExpectedFinish(std::chrono::duration<double>(now - *job.accepted).count() +
                                       (done ? 0.0 : *parsed->eta_seconds));
  }
  switch (parsed->status) {
    case api::JobStatus::kCompleted:
    case api::JobStatus::kFailed:
      // A failed job's results carry its error messages.
      return Schedule(tag, job, JobPhase::kToFetch, now);
    case api::JobStatus::kProcessing:
      if (job.written != EntryState::kProcessing) {
        Transition(job, job.phase, EntryState::kProcessing);
      }
      break;
    default:
      if (job.written == EntryState::kRetrying) Transition(job, job.phase, EntryState::kSubmitted);
      break;
  }
  ScheduleNextCheck(tag, job, parsed->eta_seconds, now);
}

void Engine::OnResultOk(std::uint64_t tag, Job& job, const api::ResultResponse& result,
                        TimePoint now) {
  const bool done =
      result.status == api::JobStatus::kFailed || result.status == api::JobStatus::kCompleted;
  if (job.phase == JobPhase::kFetching) NoteFirstCheck(job, done);
  if (job.phase == JobPhase::kFetching && WithoutEtas(job)) {
    LearnFromCheck(job, done, now);
  }
  if (result.status == api::JobStatus::kFailed) {
    std::string msg;
    for (const auto& m : result.error_messages) msg += (msg.empty() ? "" : "; ") + m;
    Outcome o;
    o.endpoint = Endpoint::kResult;
    o.http_status = 200;
    o.job_failed = result.problem == scheduler::ReplyProblem::kNone;
    if (!o.job_failed) {  // a chat reply without usable code: its POST was the request
      o.endpoint = Endpoint::kSubmit;
      o.chat = true;
      o.reply_problem = result.problem;
    }
    return OnFailure(tag, job, o, msg.empty() ? "the API reported the job failed" : msg, now);
  }
  if (result.status == api::JobStatus::kCompleted) {
    if (result.missing_python()) {
      Outcome o;
      o.endpoint = Endpoint::kResult;
      o.http_status = 200;
      o.missing_python = true;
      return OnFailure(tag, job, o, "result has no generated_code.python", now);
    }
    return Complete(tag, job, result);
  }
  // Not finished after all: poll its status (whose eta times the next check).
  ScheduleNextCheck(tag, job, std::nullopt, now);
}

void Engine::OnFailure(std::uint64_t tag, Job& job, const Outcome& outcome,
                       const std::string& detail, TimePoint now) {
  const bool got_response = outcome.http_status > 0;
  Observe(outcome, now, got_response);
  scheduler::Decision d = scheduler::Decide(outcome, job.retries, options_.retry, rng_.Uniform01());
  const char* endpoint = EndpointName(outcome.endpoint);
  NoteError(job.entry.id + ": " + d.error_type + " on " + endpoint + ": " + detail);
  spdlog::debug("batch={} entry={} {} on {}: {} -> {}", options_.batch_id, job.entry.id,
                d.error_type, endpoint, detail, scheduler::ActionName(d.action));
  const scheduler::Deadline deadline =
      scheduler::Deadline::After(job.admitted, options_.job_timeout);
  switch (d.action) {
    case Action::kSucceed:
      return;
    case Action::kStopRun:
      return StopRun(outcome, d.error_type + ": " + detail);
    case Action::kFailEntry:
      return Fail(tag, job, d.error_type, detail, outcome.http_status, endpoint);
    case Action::kRetry:
    case Action::kResubmit: {
      const bool throttled = outcome.http_status == 429;
      if (deadline.Expired(now) || deadline.Overshoots(now, d.delay)) {
        // Throttled to the end: the 429s are the cause to report (and the
        // reports' hint to lower --rpm counts them), not the deadline.
        return Fail(tag, job, throttled ? d.error_type : "timeout",
                    "processing.job_timeout reached after " + d.error_type + ": " + detail,
                    outcome.http_status, endpoint);
      }
      Duration delay = d.delay;
      const bool outage = !breaker_.ShouldCountAttempt();
      if (outage) delay = std::max(delay, breaker_.TimeUntilProbe(now));
      // An outage does not spend retries, nor does throttling: a 429 says
      // the run asks too often, which the rate limiter answers for every
      // job; spent per entry, it failed entries (and jobs already paid for)
      // while the limiter was still settling. Except a submission to an
      // API without idempotency: it may have been billed, and every billed
      // attempt counts against api.max_retries (docs/reliability.md).
      // job_timeout still bounds a job that is throttled for ever.
      const bool may_be_billed =
          !protocol_->idempotent_submit() && outcome.endpoint == Endpoint::kSubmit;
      if ((!outage && !throttled) || may_be_billed) {
        ++job.retries;
        ++stats_.retries;
      }
      // Retry the request that failed: a POST, a poll or a results fetch.
      JobPhase next = job.phase == JobPhase::kSubmitting ? JobPhase::kToSubmit
                      : job.phase == JobPhase::kFetching ? JobPhase::kToFetch
                                                         : JobPhase::kToPoll;
      if (d.action == Action::kResubmit) {
        ++stats_.lost_jobs;
        ++job.entry.submission_seq;  // a new job is wanted: a new Idempotency-Key
        job.entry.request_id.reset();
        next = JobPhase::kToSubmit;
        Transition(job, job.phase, EntryState::kRetrying, /*clear_request_id=*/true);
      } else if (job.written != EntryState::kRetrying) {
        Transition(job, job.phase, EntryState::kRetrying);
      }
      return Schedule(tag, job, next, AddSaturating(now, delay));
    }
  }
}

// A fatal outcome: no request will succeed, so the run stops and no entry is
// marked failed (they stay unfinished in the batch, for `resume`).
void Engine::StopRun(const Outcome& outcome, const std::string& what) {
  const int status = outcome.http_status;
  if (status == 401 || status == 403) {
    fatal_ = StopReason::kAuthFailed;
    fatal_message_ =
        "authentication failed (HTTP " + std::to_string(status) + "): check CNAKE_API_KEY";
    return;
  }
  fatal_ = StopReason::kFatal;
  if (status == 404 && outcome.chat) {
    // The server's error names what it lacks (usually the model).
    fatal_message_ = what + " (check api.model and --base-url)";
  } else if (status == 404) {
    fatal_message_ = api::NoApiMessage(options_.base_url, std::string("POST ") + options_.base_url +
                                                              "/generate answered HTTP 404");
  } else {
    fatal_message_ = what;
  }
}

void Engine::Complete(std::uint64_t tag, Job& job, const api::ResultResponse& result) {
  Completion c;
  c.entry_id = job.entry.id;
  c.python = *result.python;
  c.attempts = job.retries + 1;
  c.metadata = {{"request_id", job.entry.request_id.value_or("")},
                {"attempts", job.retries + 1},
                {"latency_ms", job.last_latency_ms},
                {"batch_id", options_.batch_id},
                {"build_results", result.build_results},
                {"analysis_results", result.analysis_results},
                {"equivalency_result", result.equivalency_result}};
  if (!result.reply_info.is_null()) {  // a chat reply: model, finish_reason, extraction rule
    c.metadata["protocol"] = protocol_->name();
    for (const auto& [key, value] : result.reply_info.items()) c.metadata[key] = value;
    nlohmann::json usage = nlohmann::json::object();
    if (result.usage.prompt_tokens) usage["prompt_tokens"] = *result.usage.prompt_tokens;
    if (result.usage.completion_tokens)
      usage["completion_tokens"] = *result.usage.completion_tokens;
    c.metadata["usage"] = usage.empty() ? nlohmann::json() : usage;
  }
  NotePending(clock_.Now());
  pending_.completions.push_back(std::move(c));
  ++stats_.completed;
  Retire(tag, job);
}

void Engine::Fail(std::uint64_t tag, Job& job, const std::string& type, const std::string& message,
                  int http_status, const char* endpoint) {
  Failure f;
  f.entry_id = job.entry.id;
  f.error_type = type;
  f.message = message.substr(0, 2000);
  f.http_status = http_status;
  f.attempts = job.retries + 1;
  f.request_id = job.entry.request_id.value_or("");
  f.endpoint = endpoint;
  NotePending(clock_.Now());
  pending_.failures.push_back(std::move(f));
  ++stats_.failed;
  spdlog::info("batch={} entry={} failed: {}: {}", options_.batch_id, job.entry.id, type,
               message.substr(0, 300));
  Retire(tag, job);
}

}  // namespace cnake::engine
