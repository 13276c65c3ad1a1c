// Classification of request outcomes and the retry decision: one pure
// function from "what happened" to "what to do next". The decision table is
// documented in src/scheduler/README.md; the tests enumerate it.
#pragma once

#include <optional>
#include <string>

#include "util/clock.h"

namespace cnake::scheduler {

enum class Endpoint { kSubmit, kStatus, kResult, kHealth };

// What the transport layer (libcurl) reported before any HTTP status.
enum class TransportError {
  kNone,
  kConnectRefused,
  kConnectionReset,
  kTimeout,  // total request timeout
  kStalled,  // below the low-speed limit for too long
  kDns,
  kTls,           // the server's certificate (or the local TLS setup) was refused
  kTlsHandshake,  // the handshake failed before any certificate was checked
  kTooLarge,      // response body over the configured cap
  kRedirect,      // a 3xx; redirects are never followed
  kOther,
};

// Why a chat reply that arrived whole (2xx, valid JSON) holds no usable code.
enum class ReplyProblem {
  kNone,
  kTruncated,  // finish_reason "length": cut at max_tokens      -> "truncated_reply"
  kNoCode,     // no fenced block, and the text does not look like code -> "no_code_in_reply"
  kRefused,    // a refusal, or finish_reason "content_filter"   -> "refused"
};

// Everything the decision needs to know about one request. `http_status` is 0
// when no response arrived. The body flags are only meaningful for a 2xx.
struct Outcome {
  Endpoint endpoint = Endpoint::kSubmit;
  TransportError transport = TransportError::kNone;
  int http_status = 0;
  bool body_malformed = false;          // JSON parse failure or truncated body
  bool job_failed = false;              // the API reported status "failed"
  bool missing_python = false;          // a result without generated_code.python
  std::optional<Duration> retry_after;  // already parsed and clamped
  // The chat protocol (api.protocol = openai): the submission is the whole
  // job, there are no job ids to lose, and nothing makes a retry idempotent.
  bool chat = false;
  ReplyProblem reply_problem = ReplyProblem::kNone;  // 2xx chat reply without usable code
  bool quota_exhausted = false;  // a 429 whose error object says "insufficient_quota"
};

enum class ErrorClass {
  kNone,       // success
  kTransient,  // the same request may succeed later
  kPermanent,  // this entry will not succeed; other entries may
  kFatal,      // no request will succeed: stop the run
  kLostJob,    // the server forgot a submitted job: submit it again
};

const char* ErrorClassName(ErrorClass c);

ErrorClass Classify(const Outcome& outcome);

// Stable short name for the error tables and logs ("http_429", "timeout",
// "lost_job", ...); empty for a success. The full list is in the README.
std::string ErrorType(const Outcome& outcome);

// True when the outcome suggests the API as a whole is unreachable or
// failing (connection errors, timeouts, DNS, 5xx), i.e. it should count
// towards the circuit breaker. 429 does not: a throttling API is up, and the
// rate limiter handles it.
bool IndicatesOutage(const Outcome& outcome);

struct RetryPolicy {
  int max_retries = 5;  // retries per entry, after the first attempt
  Duration base_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::seconds(60);
  Duration max_retry_after = std::chrono::seconds(300);  // cap on a server's Retry-After
};

enum class Action {
  kSucceed,    // nothing to retry
  kRetry,      // send the same request again after `delay`
  kResubmit,   // submit the entry as a new job after `delay` (lost job)
  kFailEntry,  // record the entry as failed with `error_type`
  kStopRun,    // stop dispatching anything; the run fails
};

const char* ActionName(Action a);

struct Decision {
  Action action = Action::kSucceed;
  Duration delay{0};
  ErrorClass error_class = ErrorClass::kNone;
  std::string error_type;
};

// `attempt` is the number of retries (and resubmissions) already spent on the
// entry; a retry is granted while attempt < max_retries. Transient failures
// and lost jobs wait
//   max(uniform01 * min(max_delay, base_delay * 2^attempt),
//       min(retry_after, max_retry_after))      (the second term if present)
// `uniform01` is clamped into [0, 1]. Total over every input.
Decision Decide(const Outcome& outcome, int attempt, const RetryPolicy& policy, double uniform01);

}  // namespace cnake::scheduler
