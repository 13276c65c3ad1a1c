#include "scheduler/retry_policy.h"

#include <algorithm>
#include <utility>

#include "scheduler/backoff.h"

namespace cnake::scheduler {
namespace {

struct Verdict {
  ErrorClass error_class;
  std::string error_type;
};

Verdict Transient(std::string type) { return {ErrorClass::kTransient, std::move(type)}; }
Verdict Permanent(std::string type) { return {ErrorClass::kPermanent, std::move(type)}; }
std::string HttpType(int status) { return "http_" + std::to_string(status); }

Verdict EvaluateTransport(TransportError e) {
  switch (e) {
    case TransportError::kNone:
      break;
    case TransportError::kConnectRefused:
      return Transient("connection_refused");
    case TransportError::kConnectionReset:
      return Transient("connection_reset");
    case TransportError::kTimeout:
      return Transient("timeout");
    case TransportError::kStalled:
      return Transient("stalled");
    case TransportError::kDns:
      // Resolvers fail transiently; a hostname that never resolves exhausts
      // the retries or opens the breaker.
      return Transient("dns");
    case TransportError::kTls:
    case TransportError::kTlsHandshake:
      // A certificate that fails verification, or a port that does not speak
      // TLS, fails every request the same way.
      return {ErrorClass::kFatal, "tls"};
    case TransportError::kTooLarge:
      return Permanent("too_large");
    case TransportError::kRedirect:
      return Permanent("redirect");
    case TransportError::kOther:
      return Transient("network");
  }
  return Transient("network");  // out-of-range enum value
}

Verdict EvaluateSuccessBody(const Outcome& o) {
  // A malformed body cannot tell us anything else, so it is checked first.
  // Retrying is safe on every endpoint: GETs are idempotent, and a submit is
  // retried with the same Idempotency-Key, so a job the POST did create is
  // returned instead of duplicated.
  if (o.body_malformed) return Transient("malformed_response");
  if (o.job_failed) return Permanent("job_failed");
  if (o.missing_python) return Permanent("missing_python");
  switch (o.reply_problem) {
    case ReplyProblem::kNone:
      break;
    case ReplyProblem::kTruncated:
      return Permanent("truncated_reply");
    case ReplyProblem::kNoCode:
      return Permanent("no_code_in_reply");
    case ReplyProblem::kRefused:
      return Permanent("refused");
  }
  return {ErrorClass::kNone, ""};
}

Verdict Evaluate4xx(const Outcome& o) {
  const int s = o.http_status;
  switch (s) {
    case 401:
    case 403:
      return {ErrorClass::kFatal, "auth"};
    case 404:
      // The job id came from the server; it no longer knows it (restart,
      // eviction). Resubmitting is the only way forward.
      if (o.endpoint == Endpoint::kStatus || o.endpoint == Endpoint::kResult) {
        return {ErrorClass::kLostJob, "lost_job"};
      }
      // A chat completion has no job id: its 404 means the model or the path
      // does not exist, and every other entry would get the same answer.
      if (o.chat && o.endpoint == Endpoint::kSubmit) return {ErrorClass::kFatal, "not_found"};
      // POST {base}/generate and GET {base}/health name no job: a 404 there
      // means nothing is served at the base URL (a wrong path), and no
      // entry can succeed. Stopping keeps every entry unfailed.
      return {ErrorClass::kFatal, HttpType(s)};
    case 402:  // payment required (OpenRouter: no credits left): every request would get it
      return {ErrorClass::kFatal, "quota_exhausted"};
    case 429:  // too many requests
      // OpenAI answers 429 also when the account has no credit left: waiting
      // does not help, and every request would be refused.
      if (o.quota_exhausted) return {ErrorClass::kFatal, "quota_exhausted"};
      return Transient(HttpType(s));
    case 408:  // request timeout
    case 425:  // too early
      return Transient(HttpType(s));
    default:
      return Permanent(HttpType(s));
  }
}

Verdict Evaluate(const Outcome& o) {
  if (o.transport != TransportError::kNone) return EvaluateTransport(o.transport);
  const int s = o.http_status;
  if (s < 100 || s > 599) return Transient("invalid_status");  // incl. 0: no response
  if (s < 200) return Transient(HttpType(s));  // an interim response as final: proxy glitch
  if (s < 300) return EvaluateSuccessBody(o);
  if (s < 400) return Permanent("redirect");
  if (s < 500) return Evaluate4xx(o);
  return Transient(HttpType(s));
}

}  // namespace

const char* ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone:
      return "none";
    case ErrorClass::kTransient:
      return "transient";
    case ErrorClass::kPermanent:
      return "permanent";
    case ErrorClass::kFatal:
      return "fatal";
    case ErrorClass::kLostJob:
      return "lost_job";
  }
  return "unknown";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kSucceed:
      return "succeed";
    case Action::kRetry:
      return "retry";
    case Action::kResubmit:
      return "resubmit";
    case Action::kFailEntry:
      return "fail_entry";
    case Action::kStopRun:
      return "stop_run";
  }
  return "unknown";
}

ErrorClass Classify(const Outcome& outcome) { return Evaluate(outcome).error_class; }

std::string ErrorType(const Outcome& outcome) { return Evaluate(outcome).error_type; }

bool IndicatesOutage(const Outcome& o) {
  switch (o.transport) {
    case TransportError::kConnectRefused:
    case TransportError::kConnectionReset:
    case TransportError::kTimeout:
    case TransportError::kStalled:
    case TransportError::kDns:
    case TransportError::kOther:
      return true;
    case TransportError::kNone:
      return o.http_status >= 500 && o.http_status <= 599;
    case TransportError::kTls:
    case TransportError::kTlsHandshake:
    case TransportError::kTooLarge:
    case TransportError::kRedirect:
      return false;
  }
  return false;
}

Decision Decide(const Outcome& outcome, int attempt, const RetryPolicy& policy, double uniform01) {
  Verdict v = Evaluate(outcome);
  Decision d;
  d.error_class = v.error_class;
  d.error_type = std::move(v.error_type);
  switch (v.error_class) {
    case ErrorClass::kNone:
      d.action = Action::kSucceed;
      return d;
    case ErrorClass::kFatal:
      d.action = Action::kStopRun;
      return d;
    case ErrorClass::kPermanent:
      d.action = Action::kFailEntry;
      return d;
    case ErrorClass::kTransient:
    case ErrorClass::kLostJob:
      break;
  }
  if (attempt >= policy.max_retries) {
    d.action = Action::kFailEntry;
    return d;
  }
  d.action = v.error_class == ErrorClass::kLostJob ? Action::kResubmit : Action::kRetry;
  d.delay = ScaleDuration(BackoffCap(policy.base_delay, policy.max_delay, attempt), uniform01);
  if (outcome.retry_after) {
    const Duration floor = std::clamp(*outcome.retry_after, Duration::zero(),
                                      std::max(policy.max_retry_after, Duration::zero()));
    d.delay = std::max(d.delay, floor);
  }
  return d;
}

}  // namespace cnake::scheduler
