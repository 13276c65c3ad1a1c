#include "scheduler/retry_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "util/random.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

constexpr Endpoint kAllEndpoints[] = {Endpoint::kSubmit, Endpoint::kStatus, Endpoint::kResult,
                                      Endpoint::kHealth};

const RetryPolicy kPolicy{
    .max_retries = 3, .base_delay = 1s, .max_delay = 60s, .max_retry_after = 300s};

Outcome Http(Endpoint e, int status) {
  Outcome o;
  o.endpoint = e;
  o.http_status = status;
  return o;
}

Outcome Transport(Endpoint e, TransportError t) {
  Outcome o;
  o.endpoint = e;
  o.transport = t;
  return o;
}

// The specification of the status table (README "Decision table"), written
// as the sets the issue names rather than as the implementation's branches.
struct Expected {
  ErrorClass error_class;
  std::string error_type;
};

Expected ExpectedForStatus(Endpoint e, int s) {
  const std::string http = "http_" + std::to_string(s);
  static const std::set<int> kTransient4xx = {408, 425, 429};
  if (s == 401 || s == 403) return {ErrorClass::kFatal, "auth"};
  if (s == 402) return {ErrorClass::kFatal, "quota_exhausted"};
  if (s == 404 && (e == Endpoint::kStatus || e == Endpoint::kResult)) {
    return {ErrorClass::kLostJob, "lost_job"};
  }
  // No job id in the path: nothing is served there, so no entry can succeed.
  if (s == 404) return {ErrorClass::kFatal, http};
  if (kTransient4xx.count(s)) return {ErrorClass::kTransient, http};
  if (s >= 500) return {ErrorClass::kTransient, http};
  if (s >= 400) return {ErrorClass::kPermanent, http};
  if (s >= 300) return {ErrorClass::kPermanent, "redirect"};
  if (s >= 200) return {ErrorClass::kNone, ""};
  return {ErrorClass::kTransient, http};  // 1xx as a final status
}

Action ExpectedAction(ErrorClass c, int attempt, int max_retries) {
  switch (c) {
    case ErrorClass::kNone:
      return Action::kSucceed;
    case ErrorClass::kFatal:
      return Action::kStopRun;
    case ErrorClass::kPermanent:
      return Action::kFailEntry;
    case ErrorClass::kTransient:
      return attempt < max_retries ? Action::kRetry : Action::kFailEntry;
    case ErrorClass::kLostJob:
      return attempt < max_retries ? Action::kResubmit : Action::kFailEntry;
  }
  return Action::kStopRun;
}

TEST(ClassifyTest, EveryStatusOnEveryEndpoint) {
  for (Endpoint e : kAllEndpoints) {
    for (int s = 100; s <= 599; ++s) {
      const Expected want = ExpectedForStatus(e, s);
      const Outcome o = Http(e, s);
      ASSERT_EQ(Classify(o), want.error_class) << "status " << s << " endpoint " << int(e);
      ASSERT_EQ(ErrorType(o), want.error_type) << "status " << s;
      for (int attempt : {0, kPolicy.max_retries - 1, kPolicy.max_retries, 1000}) {
        const Decision d = Decide(o, attempt, kPolicy, 0.5);
        ASSERT_EQ(d.action, ExpectedAction(want.error_class, attempt, kPolicy.max_retries))
            << "status " << s << " endpoint " << int(e) << " attempt " << attempt;
        ASSERT_EQ(d.error_class, want.error_class);
        ASSERT_EQ(d.error_type, want.error_type);
        if (d.action != Action::kRetry && d.action != Action::kResubmit) {
          ASSERT_EQ(d.delay, Duration::zero());
        }
      }
    }
  }
}

TEST(ClassifyTest, StatusesNamedByTheIssue) {
  for (int s : {408, 425, 429, 500, 502, 503, 504, 501, 599}) {
    EXPECT_EQ(Classify(Http(Endpoint::kSubmit, s)), ErrorClass::kTransient) << s;
  }
  for (int s : {400, 413, 422, 418, 451}) {
    EXPECT_EQ(Classify(Http(Endpoint::kSubmit, s)), ErrorClass::kPermanent) << s;
  }
  EXPECT_EQ(Decide(Http(Endpoint::kStatus, 401), 0, kPolicy, 0).action, Action::kStopRun);
  EXPECT_EQ(Decide(Http(Endpoint::kResult, 403), 0, kPolicy, 0).error_type, "auth");
  EXPECT_EQ(Decide(Http(Endpoint::kStatus, 404), 0, kPolicy, 0).action, Action::kResubmit);
  EXPECT_EQ(Decide(Http(Endpoint::kResult, 404), 0, kPolicy, 0).action, Action::kResubmit);
  // A wrong base URL: stop the run rather than fail every entry (issue 21).
  EXPECT_EQ(Decide(Http(Endpoint::kSubmit, 404), 0, kPolicy, 0).action, Action::kStopRun);
  EXPECT_EQ(Decide(Http(Endpoint::kSubmit, 404), 0, kPolicy, 0).error_type, "http_404");
  EXPECT_EQ(Decide(Http(Endpoint::kHealth, 404), 0, kPolicy, 0).action, Action::kStopRun);
  EXPECT_EQ(Decide(Http(Endpoint::kSubmit, 429), 0, kPolicy, 0).error_type, "http_429");
}

TEST(ClassifyTest, StatusesOutsideTheHttpRangeAreTransient) {
  for (int s :
       {0, -1, 1, 99, 600, 999, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}) {
    EXPECT_EQ(Classify(Http(Endpoint::kStatus, s)), ErrorClass::kTransient) << s;
    EXPECT_EQ(ErrorType(Http(Endpoint::kStatus, s)), "invalid_status") << s;
  }
}

TEST(ClassifyTest, EveryTransportErrorOnEveryEndpoint) {
  struct Row {
    TransportError t;
    ErrorClass c;
    const char* type;
    bool outage;
  };
  const Row kTable[] = {
      {TransportError::kConnectRefused, ErrorClass::kTransient, "connection_refused", true},
      {TransportError::kConnectionReset, ErrorClass::kTransient, "connection_reset", true},
      {TransportError::kTimeout, ErrorClass::kTransient, "timeout", true},
      {TransportError::kStalled, ErrorClass::kTransient, "stalled", true},
      {TransportError::kDns, ErrorClass::kTransient, "dns", true},
      {TransportError::kTls, ErrorClass::kFatal, "tls", false},
      {TransportError::kTlsHandshake, ErrorClass::kFatal, "tls", false},
      {TransportError::kTooLarge, ErrorClass::kPermanent, "too_large", false},
      {TransportError::kRedirect, ErrorClass::kPermanent, "redirect", false},
      {TransportError::kOther, ErrorClass::kTransient, "network", true},
  };
  for (Endpoint e : kAllEndpoints) {
    for (const Row& row : kTable) {
      // A transport error wins over whatever status field is set.
      for (int status : {0, 200, 404, 500}) {
        Outcome o = Transport(e, row.t);
        o.http_status = status;
        EXPECT_EQ(Classify(o), row.c) << row.type;
        EXPECT_EQ(ErrorType(o), row.type);
        EXPECT_EQ(IndicatesOutage(o), row.outage) << row.type;
        for (int attempt : {0, kPolicy.max_retries}) {
          EXPECT_EQ(Decide(o, attempt, kPolicy, 0.5).action,
                    ExpectedAction(row.c, attempt, kPolicy.max_retries));
        }
      }
    }
  }
}

TEST(ClassifyTest, BodyFlagsOn2xx) {
  for (Endpoint e : kAllEndpoints) {
    for (int s : {200, 201, 202}) {
      Outcome o = Http(e, s);
      EXPECT_EQ(Classify(o), ErrorClass::kNone);
      o.body_malformed = true;
      EXPECT_EQ(Classify(o), ErrorClass::kTransient);
      EXPECT_EQ(ErrorType(o), "malformed_response");
      o.job_failed = true;  // a malformed body cannot be trusted to say "failed"
      EXPECT_EQ(ErrorType(o), "malformed_response");
      o.body_malformed = false;
      EXPECT_EQ(Classify(o), ErrorClass::kPermanent);
      EXPECT_EQ(ErrorType(o), "job_failed");
      o.job_failed = false;
      o.missing_python = true;
      EXPECT_EQ(Classify(o), ErrorClass::kPermanent);
      EXPECT_EQ(ErrorType(o), "missing_python");
    }
  }
}

TEST(ClassifyTest, BodyFlagsAreIgnoredOnErrorStatuses) {
  Outcome o = Http(Endpoint::kResult, 500);
  o.body_malformed = true;
  o.missing_python = true;
  EXPECT_EQ(ErrorType(o), "http_500");
}

TEST(ClassifyTest, OutageIsConnectionLevelOr5xx) {
  for (int s = 100; s <= 599; ++s) {
    EXPECT_EQ(IndicatesOutage(Http(Endpoint::kSubmit, s)), s >= 500) << s;
  }
}

// Independent computation of min(max, base * 2^attempt) in long double.
Duration ExpectedCap(const RetryPolicy& p, int attempt) {
  const long double cap = static_cast<long double>(p.base_delay.count()) * std::pow(2.0L, attempt);
  return cap >= static_cast<long double>(p.max_delay.count()) ? p.max_delay
                                                              : Duration(static_cast<int64_t>(cap));
}

TEST(DecideTest, FullJitterStaysInRangeAndCoversIt) {
  const RetryPolicy p{.max_retries = 1000, .base_delay = 100ms, .max_delay = 30s};
  Random rng(7);
  for (int attempt = 0; attempt < 80; ++attempt) {
    const Duration cap = ExpectedCap(p, attempt);
    Duration lo = Duration::max(), hi = Duration::min();
    for (int i = 0; i < 2000; ++i) {
      const Decision d = Decide(Http(Endpoint::kStatus, 503), attempt, p, rng.Uniform01());
      ASSERT_EQ(d.action, Action::kRetry);
      ASSERT_GE(d.delay, Duration::zero());
      ASSERT_LE(d.delay, cap) << attempt;
      lo = std::min(lo, d.delay);
      hi = std::max(hi, d.delay);
    }
    EXPECT_LT(lo, cap / 20) << attempt;
    EXPECT_GT(hi, cap - cap / 20) << attempt;
  }
}

TEST(DecideTest, JitterEndpointsAreExact) {
  const Outcome o = Transport(Endpoint::kSubmit, TransportError::kTimeout);
  EXPECT_EQ(Decide(o, 0, kPolicy, 0.0).delay, Duration::zero());
  EXPECT_EQ(Decide(o, 0, kPolicy, 1.0).delay, 1s);
  EXPECT_EQ(Decide(o, 2, kPolicy, 1.0).delay, 4s);
  EXPECT_EQ(Decide(o, 2, kPolicy, 0.5).delay, 2s);
  // Out-of-range randomness is clamped rather than trusted.
  EXPECT_EQ(Decide(o, 2, kPolicy, 7.0).delay, 4s);
  EXPECT_EQ(Decide(o, 2, kPolicy, -1.0).delay, Duration::zero());
  EXPECT_EQ(Decide(o, 2, kPolicy, std::nan("")).delay, Duration::zero());
}

TEST(DecideTest, HugeAttemptNumbersDoNotOverflow) {
  RetryPolicy p{.max_retries = std::numeric_limits<int>::max(),
                .base_delay = 1h,
                .max_delay = Duration::max()};
  const Outcome o = Http(Endpoint::kStatus, 502);
  for (int attempt : {30, 62, 63, 64, 1000, std::numeric_limits<int>::max() - 1}) {
    const Decision d = Decide(o, attempt, p, 1.0);
    EXPECT_EQ(d.action, Action::kRetry);
    EXPECT_GT(d.delay, Duration::zero()) << attempt;
    EXPECT_LE(d.delay, Duration::max());
  }
  p.max_delay = 60s;
  EXPECT_EQ(Decide(o, std::numeric_limits<int>::max() - 1, p, 1.0).delay, 60s);
  EXPECT_EQ(Decide(o, -5, p, 1.0).delay, 60s);  // negative attempt counts as 0: 1 h capped
}

TEST(DecideTest, RetriesAreBoundedByMaxRetries) {
  const Outcome o = Http(Endpoint::kSubmit, 503);
  int attempt = 0;
  while (Decide(o, attempt, kPolicy, 0.3).action == Action::kRetry) ++attempt;
  EXPECT_EQ(attempt, kPolicy.max_retries);
  const Decision last = Decide(o, attempt, kPolicy, 0.3);
  EXPECT_EQ(last.action, Action::kFailEntry);
  EXPECT_EQ(last.error_type, "http_503");
  EXPECT_EQ(last.error_class, ErrorClass::kTransient);

  const RetryPolicy none{.max_retries = 0};
  EXPECT_EQ(Decide(o, 0, none, 0.3).action, Action::kFailEntry);
}

TEST(DecideTest, RetryAfterIsAFloorCappedByMaxRetryAfter) {
  Outcome o = Http(Endpoint::kSubmit, 429);
  o.retry_after = 30s;
  for (double u : {0.0, 0.5, 1.0}) EXPECT_EQ(Decide(o, 0, kPolicy, u).delay, 30s);
  // A longer jittered backoff still wins over a short Retry-After.
  o.retry_after = 1s;
  EXPECT_EQ(Decide(o, 2, kPolicy, 1.0).delay, 4s);
  EXPECT_EQ(Decide(o, 2, kPolicy, 0.0).delay, 1s);
  // Beyond max_retry_after the floor is the cap, even above max_delay.
  o.retry_after = 1000s;
  EXPECT_EQ(Decide(o, 0, kPolicy, 0.5).delay, 300s);
  o.retry_after = -5s;
  EXPECT_EQ(Decide(o, 1, kPolicy, 0.0).delay, Duration::zero());
  // Retry-After also applies to other transient statuses (503).
  Outcome busy = Http(Endpoint::kStatus, 503);
  busy.retry_after = 12s;
  EXPECT_EQ(Decide(busy, 0, kPolicy, 0.0).delay, 12s);
  // And is irrelevant when nothing is retried.
  Outcome bad = Http(Endpoint::kSubmit, 400);
  bad.retry_after = 12s;
  EXPECT_EQ(Decide(bad, 0, kPolicy, 0.0).delay, Duration::zero());
}

TEST(DecideTest, LostJobResubmitsWithBackoffAndIsBounded) {
  const Outcome o = Http(Endpoint::kStatus, 404);
  const Decision d = Decide(o, 1, kPolicy, 1.0);
  EXPECT_EQ(d.action, Action::kResubmit);
  EXPECT_EQ(d.delay, 2s);
  EXPECT_EQ(d.error_class, ErrorClass::kLostJob);
  const Decision last = Decide(o, kPolicy.max_retries, kPolicy, 1.0);
  EXPECT_EQ(last.action, Action::kFailEntry);
  EXPECT_EQ(last.error_type, "lost_job");
}

// The chat protocol's rows (README, decision table): the same table, with
// the differences a protocol without job ids and without idempotency needs.
Outcome Chat(int status) {
  Outcome o = Http(Endpoint::kSubmit, status);
  o.chat = true;
  return o;
}

TEST(ChatDecisionTest, UnusableRepliesFailTheEntryWithTheirOwnType) {
  const std::pair<ReplyProblem, const char*> rows[] = {
      {ReplyProblem::kTruncated, "truncated_reply"},
      {ReplyProblem::kNoCode, "no_code_in_reply"},
      {ReplyProblem::kRefused, "refused"}};
  for (const auto& [problem, type] : rows) {
    Outcome o = Chat(200);
    o.reply_problem = problem;
    const Decision d = Decide(o, 0, kPolicy, 0.5);
    EXPECT_EQ(d.action, Action::kFailEntry) << type;
    EXPECT_EQ(d.error_class, ErrorClass::kPermanent) << type;
    EXPECT_EQ(d.error_type, type);
    o.body_malformed = true;  // a malformed body says nothing about the reply
    EXPECT_EQ(ErrorType(o), "malformed_response");
    o.body_malformed = false;
    o.http_status = 502;  // the status decides on an error status
    EXPECT_EQ(ErrorType(o), "http_502");
  }
}

TEST(ChatDecisionTest, NotFoundOnTheCompletionStopsTheRun) {
  const Decision d = Decide(Chat(404), 0, kPolicy, 0.5);
  EXPECT_EQ(d.action, Action::kStopRun);
  EXPECT_EQ(d.error_type, "not_found");
  // Without the chat flag a 404 on submit stops the run as http_404 (no
  // CnakeCharmer API at the base URL).
  EXPECT_EQ(Decide(Http(Endpoint::kSubmit, 404), 0, kPolicy, 0.5).action, Action::kStopRun);
  EXPECT_EQ(Decide(Http(Endpoint::kSubmit, 404), 0, kPolicy, 0.5).error_type, "http_404");
  // The health check of the chat protocol (GET /models) keeps the old row.
  Outcome probe = Chat(404);
  probe.endpoint = Endpoint::kHealth;
  EXPECT_EQ(Decide(probe, 0, kPolicy, 0.5).error_type, "http_404");
}

TEST(ChatDecisionTest, QuotaExhaustionStopsTheRunOtherThrottlingRetries) {
  Outcome quota = Chat(429);
  quota.quota_exhausted = true;
  EXPECT_EQ(Decide(quota, 0, kPolicy, 0.5).action, Action::kStopRun);
  EXPECT_EQ(ErrorType(quota), "quota_exhausted");
  EXPECT_FALSE(IndicatesOutage(quota));
  EXPECT_EQ(Decide(Chat(429), 0, kPolicy, 0.5).action, Action::kRetry);
  for (int s : {500, 502, 503, 504}) {
    EXPECT_EQ(Decide(Chat(s), 0, kPolicy, 0.5).action, Action::kRetry) << s;
  }
  for (int s : {400, 413, 422}) {
    EXPECT_EQ(Decide(Chat(s), 0, kPolicy, 0.5).action, Action::kFailEntry) << s;
  }
  for (int s : {401, 403}) EXPECT_EQ(Decide(Chat(s), 0, kPolicy, 0.5).error_type, "auth") << s;
  Outcome timeout = Chat(0);
  timeout.transport = TransportError::kTimeout;
  EXPECT_EQ(Decide(timeout, 0, kPolicy, 0.5).action, Action::kRetry);
}

TEST(DecideTest, NamesAreStable) {
  EXPECT_STREQ(ActionName(Action::kResubmit), "resubmit");
  EXPECT_STREQ(ActionName(Action::kStopRun), "stop_run");
  EXPECT_STREQ(ErrorClassName(ErrorClass::kLostJob), "lost_job");
  EXPECT_STREQ(ErrorClassName(ErrorClass::kTransient), "transient");
}

}  // namespace
}  // namespace cnake::scheduler
