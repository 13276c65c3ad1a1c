// The engine against a fake API and a fake clock, over each store
// (engine_fixture.h): dispatch, retries, failures, resume, polling.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "engine/engine_fixture.h"

namespace cnake::engine {
namespace {

using api::Endpoint;
using nlohmann::json;
using test_support::EngineTest;
using test_support::FakeApi;
using test_support::Kind;
using test_support::KindName;
using test_support::DuckDbBackend;
using test_support::TimedJobs;

TEST_P(EngineTest, CompletesEveryEntryAndStoresWhatTheApiSent) {
  Seed(20);
  std::string batch = Claim(20);
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.reason, StopReason::kFinished) << r.message;
  EXPECT_EQ(r.final.completed, 20);
  const auto results = backend_->Results();
  int matching = 0;
  for (const Entry& e : backend_->Entries()) {
    matching += results.count(e.id) && results.at(e.id) == FakeApi::PythonFor(e.code) ? 1 : 0;
  }
  EXPECT_EQ(matching, 20);
  const BatchRecord b = Batch(batch);
  EXPECT_EQ(b.status, BatchStatus::kCompleted);
  EXPECT_EQ(b.processed, 20);
  EXPECT_EQ(b.successful, 20);
  EXPECT_EQ(b.failed, 0);
  for (const auto& [entry, posts] : api_.posts_per_entry) EXPECT_EQ(posts, 1) << entry;
}

TEST_P(EngineTest, NeverMoreJobsInFlightThanTheCap) {
  Seed(30);
  std::string batch = Claim(30);
  // Jobs are outstanding from their POST to their results fetch.
  int outstanding = 0, peak = 0;
  transport_.SetHandler([&](const api::Request& req) {
    if (req.endpoint == Endpoint::kSubmit) peak = std::max(peak, ++outstanding);
    if (req.endpoint == Endpoint::kResult) --outstanding;
    return api_.Handle(req);
  });
  api_.polls_to_complete = 3;
  EngineOptions o = Options(batch);
  o.max_concurrent = 5;
  ASSERT_EQ(RunBatch(o).reason, StopReason::kFinished);
  EXPECT_EQ(peak, 5);
}

TEST_P(EngineTest, SynchronousServerCompletesWithoutPolling) {
  Seed(5);
  api_.sync = true;
  RunSummary r = RunBatch(Options(Claim(5)));
  EXPECT_EQ(r.final.completed, 5);
  EXPECT_EQ(transport_.CountRequests(
                [](const api::Request& q) { return q.endpoint != Endpoint::kSubmit; }),
            0u);
}

TEST_P(EngineTest, JobsWhosePostIsUnderWayCountAsInFlight) {
  Seed(12);
  api_.sync = true;
  transport_.SetHandlerDelay(std::chrono::seconds(1));
  std::int64_t peak = 0;
  RunSummary r = RunBatch(Options(Claim(12)),
                          [&](const Snapshot& s) { peak = std::max(peak, s.jobs_in_flight); });
  EXPECT_EQ(r.final.completed, 12);
  EXPECT_EQ(peak, 4);  // max_concurrent, though no job ever holds a request_id
}

TEST_P(EngineTest, TransientPostFailureRetriesWithTheSameKey) {
  // With description, tags and metadata, which the body carries too.
  ASSERT_TRUE(store()
                  .UpsertEntries({{"e100",
                                   "cdef int x = 0",
                                   "An entry.",
                                   {"math", "io"},
                                   json{{"origin", "test"}, {"n", 1}}}})
                  .ok());
  api_.fault = [](const api::Request& req, int nth) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kSubmit && nth <= 2) return FakeApi::Http(503);
    return std::nullopt;
  };
  RunSummary r = RunBatch(Options(Claim(1)));
  EXPECT_EQ(r.final.completed, 1);
  std::set<std::string> keys, bodies;
  for (const auto& q : transport_.requests()) {
    if (q.endpoint != Endpoint::kSubmit) continue;
    keys.insert(q.idempotency_key);
    bodies.insert(q.body);
  }
  EXPECT_EQ(keys.size(), 1u);
  // Same key, same body: a server honouring Idempotency-Key answers with the same job.
  EXPECT_EQ(bodies.size(), 1u);
  const json metadata = json::parse(*bodies.begin())["metadata"];
  EXPECT_EQ(metadata["description"], "An entry.");
  EXPECT_EQ(metadata["tags"], json::array({"math", "io"}));
  EXPECT_EQ(metadata["metadata"], json({{"origin", "test"}, {"n", 1}}));
  EXPECT_EQ(Only().attempts, 3);
}

TEST_P(EngineTest, PermanentErrorFailsTheEntryWithItsType) {
  Seed(2);
  api_.fault = [](const api::Request& req, int nth) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kSubmit && nth == 1) return FakeApi::Http(422, "bad body");
    return std::nullopt;
  };
  const std::string batch = Claim(2);
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(r.final.failed, 1);
  EXPECT_EQ(r.final.completed, 1);
  const auto errors = backend_->Errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(
      errors[0].error_type + ":" + std::to_string(errors[0].http_status) + ":" + errors[0].message,
      "http_422:422:HTTP 422: bad body");
  EXPECT_EQ(Batch(batch).failed, 1);
}

TEST_P(EngineTest, AuthFailureStopsTheRun) {
  Seed(10);
  api_.fault = [](const api::Request&, int) -> std::optional<api::Response> {
    return FakeApi::Http(401, "Not authenticated");
  };
  const std::string batch = Claim(10);
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.reason, StopReason::kAuthFailed);
  EXPECT_NE(r.message.find("authentication failed"), std::string::npos);
  EXPECT_LE(transport_.requests().size(), 4u);  // the first wave only
  EXPECT_EQ(Batch(batch).status, BatchStatus::kFailed);
  for (const Entry& e : backend_->Entries()) EXPECT_NE(e.state, EntryState::kFailed) << e.id;
}

// A wrong base URL (issue 21): every POST answers 404. The run stops with
// "no CnakeCharmer API" instead of failing every entry with http_404.
TEST_P(EngineTest, NotFoundOnSubmitStopsTheRunAndFailsNoEntry) {
  Seed(10);
  api_.fault = [](const api::Request& req, int) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kSubmit) return FakeApi::Http(404, "Not Found");
    return std::nullopt;
  };
  const std::string batch = Claim(10);
  EngineOptions options = Options(batch);
  options.base_url = "http://127.0.0.1:8000/wrong";
  RunSummary r = RunBatch(options);
  EXPECT_EQ(r.reason, StopReason::kFatal);
  EXPECT_EQ(r.message,
            "no CnakeCharmer API at http://127.0.0.1:8000/wrong: check --base-url (POST "
            "http://127.0.0.1:8000/wrong/generate answered HTTP 404)");
  EXPECT_EQ(r.final.failed, 0);
  EXPECT_LE(transport_.requests().size(), 4u);  // the first wave only
  EXPECT_EQ(Batch(batch).status, BatchStatus::kFailed);
  for (const Entry& e : backend_->Entries()) EXPECT_EQ(e.state, EntryState::kPending) << e.id;
}

TEST_P(EngineTest, LostJobIsSubmittedAgainWithANewKey) {
  Seed(1);
  bool lost_once = false;
  api_.fault = [&](const api::Request& req, int) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kStatus && !lost_once) {
      lost_once = true;
      return FakeApi::Http(404, "Request not found");
    }
    return std::nullopt;
  };
  RunSummary r = RunBatch(Options(Claim(1)));
  EXPECT_EQ(r.final.completed, 1);
  EXPECT_EQ(r.final.lost_jobs, 1);
  EXPECT_EQ(api_.posts_per_key.size(), 2u);
  EXPECT_EQ(Only().submission_seq, 1);
}

TEST_P(EngineTest, FailedJobAndMissingPythonFailTheEntry) {
  Seed(2);
  api_.fault = [](const api::Request& req, int nth) -> std::optional<api::Response> {
    if (req.endpoint != Endpoint::kResult) return std::nullopt;
    if (nth == 1) {
      return FakeApi::Ok({{"status", "failed"},
                          {"generated_code", nullptr},
                          {"error_messages", {"cannot build", "syntax"}}});
    }
    return FakeApi::Ok({{"status", "completed"}, {"generated_code", json::object()}});
  };
  RunSummary r = RunBatch(Options(Claim(2)));
  EXPECT_EQ(r.final.failed, 2);
  const auto errors = backend_->Errors();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].error_type + "," + errors[1].error_type, "job_failed,missing_python");
  EXPECT_NE(errors[0].message.find("cannot build; syntax"), std::string::npos);
}

TEST_P(EngineTest, RetriesAreBoundedByMaxRetries) {
  Seed(1);
  api_.fault = [](const api::Request& req, int) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kSubmit) return FakeApi::Http(500);
    return std::nullopt;
  };
  EngineOptions o = Options(Claim(1));
  o.breaker_threshold = 100;
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.failed, 1);
  EXPECT_EQ(transport_.CountRequests(
                [](const api::Request& q) { return q.endpoint == Endpoint::kSubmit; }),
            static_cast<std::size_t>(o.retry.max_retries + 1));
  ASSERT_EQ(backend_->Errors().size(), 1u);
  EXPECT_EQ(backend_->Errors()[0].error_type, "http_500");
}

// Throttling is the run's to answer (the limiter halves its rate), not the
// entry's: with each job's first polls refused by 429 more often than
// api.max_retries allows, every entry still completes.
TEST_P(EngineTest, ThrottledRequestsSpendNoRetries) {
  Seed(4);
  std::map<std::string, int> refused;  // request path -> 429s so far
  api_.fault = [&refused](const api::Request& req, int) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kHealth || refused[req.path] >= 5) return std::nullopt;
    ++refused[req.path];
    api::Response r = FakeApi::Http(429, "slow down");
    r.retry_after = "1";
    return r;
  };
  EngineOptions o = Options(Claim(4));
  o.retry.max_retries = 2;
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.completed, 4);
  EXPECT_EQ(r.final.failed, 0);
  EXPECT_TRUE(backend_->Errors().empty());
  EXPECT_GE(r.final.throttled, 4 * 5);
}

TEST_P(EngineTest, JobThatNeverCompletesFailsAtItsDeadline) {
  Seed(1);
  api_.polls_to_complete = 1 << 30;
  EngineOptions o = Options(Claim(1));
  o.job_timeout = std::chrono::seconds(30);
  const TimePoint start = clock_.Now();
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.failed, 1);
  ASSERT_EQ(backend_->Errors().size(), 1u);
  EXPECT_EQ(backend_->Errors()[0].error_type, "timeout");
  EXPECT_LE(clock_.Now() - start, std::chrono::seconds(31));
}

TEST_P(EngineTest, ResumePollsStoredRequestIdsInsteadOfPostingAgain) {
  Seed(3);
  std::string batch = Claim(3);
  // First run: the POSTs go out, then the run is interrupted before any result.
  {
    EngineOptions o = Options(batch);
    o.shutdown_grace = Duration::zero();
    auto work = Work(batch);
    Engine engine(*work, transport_, clock_, o);
    int responses = 0;
    api_.fault = [&](const api::Request& req, int) -> std::optional<api::Response> {
      if (req.endpoint == Endpoint::kStatus && ++responses == 1)
        engine.RequestStop(StopReason::kInterrupted);
      return std::nullopt;
    };
    RunSummary r = engine.Run(nullptr);
    EXPECT_EQ(r.reason, StopReason::kInterrupted);
    EXPECT_TRUE(work->Release().ok());
  }
  int with_request_id = 0;
  for (const Entry& e : backend_->Entries()) with_request_id += e.request_id ? 1 : 0;
  EXPECT_EQ(with_request_id, 3);
  api_.fault = nullptr;
  const std::size_t posts_before = api_.posts_per_key.size();
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(r.final.completed, 3);
  EXPECT_EQ(api_.posts_per_key.size(), posts_before);
  for (const auto& [entry, posts] : api_.posts_per_entry) EXPECT_EQ(posts, 1) << entry;
}

// Issue 21: a second Ctrl-C stops at once instead of waiting out the grace
// for jobs that will not finish in it; nothing it abandons is paid twice.
TEST_P(EngineTest, ASecondStopReturnsAtOnceAndResumePostsNothingTwice) {
  Seed(3);
  std::string batch = Claim(3);
  api_.polls_to_complete = 1000;  // jobs that outlast the grace
  {
    EngineOptions o = Options(batch);
    o.shutdown_grace = std::chrono::seconds(10);
    auto work = Work(batch);
    Engine engine(*work, transport_, clock_, o);
    int polls = 0;
    api_.fault = [&](const api::Request& req, int) -> std::optional<api::Response> {
      if (req.endpoint == Endpoint::kStatus && ++polls == 3) {
        engine.RequestStop(StopReason::kInterrupted);
        engine.RequestStop(StopReason::kInterrupted);
      }
      return std::nullopt;
    };
    const TimePoint start = clock_.Now();
    RunSummary r = engine.Run(nullptr);
    EXPECT_EQ(r.reason, StopReason::kInterrupted);
    EXPECT_EQ(r.final.completed, 0);
    EXPECT_LT(clock_.Now() - start, std::chrono::seconds(1)) << "it waited for the grace";
    EXPECT_TRUE(work->Release().ok());
  }
  for (const Entry& e : backend_->Entries()) EXPECT_TRUE(e.request_id) << e.id;
  api_.fault = nullptr;
  api_.polls_to_complete = 1;
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.final.completed, 3);
  for (const auto& [entry, posts] : api_.posts_per_entry) EXPECT_EQ(posts, 1) << entry;
}

// Issue 21, item 9: the run knows when the request-rate limit is what holds
// it back, for the progress line and the summary.
TEST_P(EngineTest, TimeHeldBackByTheRateLimitIsCountedOnlyWhenItHoldsBack) {
  Seed(6);
  EngineOptions slow = Options(Claim(3));
  slow.rate.requests_per_minute = 60;  // 1/s: 3 entries cost about 6 requests
  slow.rate.burst = 1;
  bool seen_limited = false;
  RunSummary r = RunBatch(slow, [&](const Snapshot& s) { seen_limited |= s.rate_limited; });
  EXPECT_EQ(r.final.completed, 3);
  EXPECT_TRUE(seen_limited);
  EXPECT_GE(r.final.rate_limited_seconds, 2.0);
  EXPECT_LE(r.final.rate_limited_seconds, r.final.elapsed_seconds);
  RunSummary fast = RunBatch(Options(Claim(3)));
  EXPECT_EQ(fast.final.completed, 3);
  // 60,000/min with a burst of 50: requests wait the odd millisecond for a
  // token (0.002 s in all), but the run sends far below the limit, so the
  // limit holds nothing back.
  EXPECT_EQ(fast.final.rate_limited_seconds, 0.0);
}

// A run of 60 such jobs cost 2 requests a job, or nearly: its POST and one
// /results for most, one /status more for the refresh jobs.
void ExpectAboutTwoRequestsAJob(const RunSummary& r) {
  EXPECT_EQ(r.final.completed, 60);
  const double per_entry = static_cast<double>(r.final.requests) / 60;
  EXPECT_LT(per_entry, 2.4) << r.final.requests << " requests";
  EXPECT_GE(per_entry, 2.0);
}

// Jobs of steady latencies whose POST answer carries no eta, against a rate
// limit the run presses on: once recent jobs show those latencies, a job's
// first check asks /results at their 90th percentile instead of /status
// early, so it costs 2 requests, not 3, and the rate those checks no longer
// spend goes to more entries.
TEST_P(EngineTest, UnderTheRateLimitJobsOfSteadyLatencyAreFirstCheckedWhenDone) {
  Seed(60);
  EngineOptions o = Options(Claim(60));
  o.poll.initial = std::chrono::milliseconds(25);  // the default
  o.rate.requests_per_minute = 2700;  // 45/s; 4 in flight at 3 requests a job would need 60
  o.rate.burst = 5;
  // 180 and 220 ms in turn: steady under the limit's bound, not without it.
  TimedJobs jobs{[](int nth) { return Duration(std::chrono::milliseconds(nth % 2 ? 180 : 220)); }};
  api_.fault = jobs.Hook(clock_);
  ExpectAboutTwoRequestsAJob(RunBatch(o));
}

TEST_P(EngineTest, JobsOfVerySteadyLatencyAreFirstCheckedWhenDoneWithoutARateLimit) {
  Seed(60);
  EngineOptions o = Options(Claim(60));
  o.poll.initial = std::chrono::milliseconds(25);  // the default
  TimedJobs jobs{[](int) { return Duration(std::chrono::milliseconds(200)); }};
  api_.fault = jobs.Hook(clock_);
  ExpectAboutTwoRequestsAJob(RunBatch(o));
}

TEST_P(EngineTest, JobsOfSpreadLatencyArePolledEarlyWithoutARateLimit) {
  Seed(60);
  EngineOptions o = Options(Claim(60));
  o.poll.initial = std::chrono::milliseconds(25);
  // 150 and 250 ms in turn: steady enough under a rate limit, not without.
  TimedJobs jobs{[](int nth) { return Duration(std::chrono::milliseconds(nth % 2 ? 150 : 250)); }};
  api_.fault = jobs.Hook(clock_);
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.completed, 60);
  EXPECT_GE(static_cast<double>(r.final.requests) / 60, 2.9) << r.final.requests << " requests";
}

TEST_P(EngineTest, JobsThatBecameFasterAreSoonCheckedAtTheirNewLatency) {
  Seed(200);
  EngineOptions o = Options(Claim(200));
  o.poll.initial = std::chrono::milliseconds(25);
  // 400 ms for the first 60 jobs, then 100 ms: without the early checks of
  // the refresh jobs the history would keep saying 400 ms.
  TimedJobs jobs{
      [](int nth) { return Duration(std::chrono::milliseconds(nth <= 60 ? 400 : 100)); }};
  api_.fault = jobs.Hook(clock_);
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.completed, 200);
  for (int nth = 161; nth <= 200; ++nth) {
    const std::string id = "r" + std::to_string(nth);
    ASSERT_TRUE(jobs.first_results.count(id)) << id;
    EXPECT_LT(jobs.first_results[id] - jobs.posted[id], std::chrono::milliseconds(150)) << id;
  }
}

// A server that gives no etas (the contract allows "eta": null): the run
// learns when jobs finish from its own checks. Jobs of steady latency are
// then first checked when done, on /results, as with etas (the old schedule,
// 25 ms doubling, saw a 200 ms job done at 375 ms, after 4 checks).
TEST_P(EngineTest, WithoutEtasJobsOfSteadyLatencyAreSeenDoneAlmostAtOnce) {
  TimedJobs jobs{[](int) { return Duration(std::chrono::milliseconds(200)); }};
  RunWithoutEtas(200, jobs);
  EXPECT_LT(jobs.MeanLateness(101, 200), std::chrono::milliseconds(8));
  // Most ask /results once; one in 8 starts early and steps finely.
  EXPECT_LT(jobs.MeanChecks(101, 200), 1.5);
}

// Before anything is learned, jobs of a server known to give no etas are
// checked on a schedule growing by 1.5, not 2: the first 1 s jobs are seen
// done about 240 ms late, not 575 ms (checks 25, 75, 175, 375, 775 and
// 1,575 ms after the POST).
TEST_P(EngineTest, WithoutEtasTheFirstJobsAreCheckedOnAFinerSchedule) {
  TimedJobs jobs{[](int) { return Duration(std::chrono::seconds(1)); }};
  RunWithoutEtas(8, jobs);
  EXPECT_LT(jobs.MeanLateness(1, 4), std::chrono::milliseconds(300));
}

// Jobs that became slower are followed (their later checks find them done
// finely, and that is learned), and so are jobs that became faster (the
// early checks of one job in 8 find them done).
TEST_P(EngineTest, WithoutEtasTheRunFollowsJobsThatBecameSlowerOrFaster) {
  TimedJobs jobs{[](int nth) {
    return Duration(std::chrono::milliseconds(nth <= 150 ? 200 : nth <= 300 ? 320 : 120));
  }};
  RunWithoutEtas(450, jobs);
  EXPECT_LT(jobs.MeanLateness(251, 300), std::chrono::milliseconds(16));  // 5% of 320 ms
  EXPECT_LT(jobs.MeanLateness(401, 450), std::chrono::milliseconds(6));   // 5% of 120 ms
}

// Spread-out latencies: no steady finish, so every job starts checking a
// little before the run's 10th percentile and steps by an eighth of its
// time so far, so it is seen done within about an eighth of its latency
// (the old schedule: 120 ms late on average).
TEST_P(EngineTest, WithoutEtasSpreadOutJobsAreSeenDoneWithinAnEighthOfTheirTime) {
  TimedJobs jobs{
      [](int nth) { return Duration(std::chrono::milliseconds(100 + (nth * 37) % 300)); }};
  RunWithoutEtas(200, jobs);
  // Mean latency 250 ms; an eighth of it is 31 ms, half of that on average.
  EXPECT_LT(jobs.MeanLateness(101, 200), std::chrono::milliseconds(22));
  // Log(latency / start) / log(1.125) steps, about 6, and the /results.
  EXPECT_LT(jobs.MeanChecks(101, 200), 8.0);
}

// A batch whose run died (recorded running, no runner) strands its entries;
// a new batch adopts them (issue 21): those with a request id are polled,
// never posted again; the others are posted under the old batch's key.
TEST_P(EngineTest, AdoptedEntriesArePolledOrPostedUnderTheirOldKey) {
  Seed(6);
  const std::string old_batch = Claim(6);
  {
    EngineOptions o = Options(old_batch);  // 4 in flight: 2 entries are never posted
    o.shutdown_grace = Duration::zero();
    auto work = Work(old_batch);
    Engine engine(*work, transport_, clock_, o);
    api_.fault = [&](const api::Request& req, int) -> std::optional<api::Response> {
      if (req.endpoint == Endpoint::kStatus) engine.RequestStop(StopReason::kInterrupted);
      return std::nullopt;
    };
    engine.Run(nullptr);
    ASSERT_TRUE(work->Release().ok());  // no Finish: as after kill -9
  }
  api_.fault = nullptr;
  ClaimOptions claim;
  claim.limit = 10;
  auto adopted = lifecycle_->Claim(json::object(), claim, /*adopt_stranded=*/true);
  ASSERT_TRUE(adopted.ok()) << adopted.status().ToString();
  EXPECT_EQ(adopted->adopted, 6);
  const std::size_t requests_before = transport_.requests().size();
  RunSummary r = RunBatch(Options(adopted->id));
  EXPECT_EQ(r.reason, StopReason::kFinished) << r.message;
  EXPECT_EQ(r.final.completed, 6);
  for (const auto& [entry, posts] : api_.posts_per_entry) EXPECT_EQ(posts, 1) << entry;
  EXPECT_EQ(api_.posts_per_entry.size(), 6u);
  int posted_now = 0;
  for (std::size_t i = requests_before; i < transport_.requests().size(); ++i) {
    const api::Request& q = transport_.requests()[i];
    if (q.endpoint != Endpoint::kSubmit) continue;
    ++posted_now;
    const json metadata = json::parse(q.body)["metadata"];
    const std::string entry = metadata["source_id"];
    EXPECT_EQ(q.idempotency_key, IdempotencyKey(old_batch, entry, 0)) << entry;
    // The same body as the old batch would have sent: the same key with
    // another body is a 422 (docs/api.md).
    EXPECT_EQ(metadata["batch_id"], old_batch) << entry;
  }
  EXPECT_EQ(posted_now, 2);
  EXPECT_EQ(Batch(old_batch).status, BatchStatus::kCompleted);  // nothing left there
  EXPECT_EQ(Batch(old_batch).total, 0);
}

// Ids that a foreign tool declared case-insensitive: commits must not filter
// them by byte order ('a' is not BETWEEN 'B' AND 'b2' under NOCASE).
TEST_P(EngineTest, EntriesWithACaseInsensitiveIdColumnAllComplete) {
  if (GetParam() != Kind::kDuckDb) GTEST_SKIP() << "a DuckDB schema made by a foreign tool";
  auto s = testing::OpenStoreWithNocaseIds(dir_.File("nocase.duckdb"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  DuckDbStore* nocase = s->get();
  backend_ = std::make_unique<DuckDbBackend>(std::move(s).value());
  lifecycle_ = std::make_unique<BatchLifecycle>(store(), clock_, entropy_);
  std::vector<EntryInput> in;
  for (const char* id : {"B", "a", "b2"}) in.push_back({id, "cdef int x = 1", {}, {}, {}});
  ASSERT_TRUE(store().UpsertEntries(in).ok());
  EngineOptions o = Options(Claim(3));
  o.max_concurrent = 3;
  api_.sync = true;  // the three results land in one commit
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.reason, StopReason::kFinished) << r.message;
  EXPECT_EQ(r.final.completed, 3);
  auto completed = nocase->connection().Query(
      "SELECT count(*)::VARCHAR FROM nocase_entries WHERE processing_status = 'completed'");
  ASSERT_TRUE(completed.ok());
  EXPECT_EQ(completed->NextChunk()->GetString(0, 0), "3");
}

TEST_P(EngineTest, OutageOpensTheBreakerAndFailsNothing) {
  Seed(8);
  const TimePoint outage_end = clock_.Now() + std::chrono::seconds(60);
  api_.fault = [&](const api::Request&, int) -> std::optional<api::Response> {
    if (clock_.Now() < outage_end) return FakeApi::Http(503);
    return std::nullopt;
  };
  EngineOptions o = Options(Claim(8));
  o.breaker_threshold = 3;
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.completed, 8);
  EXPECT_EQ(r.final.failed, 0);
  // Bound: K failures to open, one wave in flight, then probes only.
  std::size_t during = transport_.CountRequests([](const api::Request&) { return true; });
  EXPECT_LT(during, 8u * 3 + 30u);
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineTest, ::testing::Values(Kind::kDuckDb, Kind::kMemory),
                         KindName);

}  // namespace
}  // namespace cnake::engine
