// The engine against a fake API (in-process, scripted by endpoint) and a fake
// clock, over each store: a real DuckDB file and the in-memory store. No
// sockets, no sleeps; the store worker runs inline.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "api/api_paths.h"
#include "engine/batch_lifecycle.h"
#include "engine/idempotency.h"
#include "store/duckdb/duckdb_store.h"
#include "store/memory/memory_store.h"
#include "testing/fake_clock.h"
#include "testing/fake_transport.h"
#include "testing/nocase_store.h"
#include "testing/seeded_entropy.h"
#include "testing/temp_dir.h"

namespace cnake::engine {
namespace {

using api::Endpoint;
using nlohmann::json;

// A tiny in-test CnakeCharmer API: jobs complete after `polls_to_complete`
// status calls; hooks let a test inject failures per request.
class FakeApi {
 public:
  int polls_to_complete = 1;
  bool sync = false;
  std::function<std::optional<api::Response>(const api::Request&, int nth)> fault;

  api::Response Handle(const api::Request& req) {
    int nth = ++calls_[req.endpoint];
    if (fault) {
      if (auto r = fault(req, nth)) return *r;
    }
    switch (req.endpoint) {
      case Endpoint::kSubmit:
        return Submit(req);
      case Endpoint::kStatus:
        return StatusOf(IdFrom(req.path, "/status/"));
      case Endpoint::kResult:
        return ResultOf(IdFrom(req.path, "/results/"));
      case Endpoint::kHealth:
        return Ok(json{{"status", "ok"}});
    }
    return {};
  }
  static api::Response Ok(const json& body) {
    api::Response r;
    r.http_status = 200;
    r.body = body.dump();
    r.latency = std::chrono::milliseconds(3);
    return r;
  }
  static api::Response Http(int status, const std::string& detail = "x") {
    api::Response r;
    r.http_status = status;
    r.body = json{{"detail", detail}}.dump();
    return r;
  }
  static std::string PythonFor(const std::string& code) { return "# py\n" + code; }

  std::map<std::string, int> posts_per_key;
  std::map<std::string, int> posts_per_entry;
  std::set<std::string> lost;  // request ids that now answer 404

 private:
  struct Job {
    std::string code;
    int polls = 0;
  };
  static std::string IdFrom(const std::string& path, const std::string& prefix) {
    return path.substr(prefix.size());
  }
  api::Response Submit(const api::Request& req) {
    json body = json::parse(req.body);
    posts_per_key[req.idempotency_key]++;
    posts_per_entry[body["metadata"]["source_id"].get<std::string>()]++;
    if (sync) {
      return Ok({{"request_id", "sync"},
                 {"status", "completed"},
                 {"generated_code", {{"python", PythonFor(body["source_code"])}}}});
    }
    auto it = by_key_.find(req.idempotency_key);
    if (it == by_key_.end()) {
      std::string id = "r" + std::to_string(jobs_.size() + 1);
      jobs_[id] = {body["source_code"].get<std::string>(), 0};
      it = by_key_.emplace(req.idempotency_key, id).first;
    }
    return Ok({{"request_id", it->second}});
  }
  api::Response StatusOf(const std::string& id) {
    if (!jobs_.count(id) || lost.count(id)) return Http(404, "Request " + id + " not found");
    Job& j = jobs_[id];
    const bool done = ++j.polls >= polls_to_complete;
    return Ok({{"request_id", id},
               {"status", done ? "completed" : "processing"},
               {"progress", nullptr},
               {"eta", nullptr}});
  }
  api::Response ResultOf(const std::string& id) {
    if (!jobs_.count(id) || lost.count(id)) return Http(404, "Request " + id + " not found");
    return Ok({{"request_id", id},
               {"status", "completed"},
               {"generated_code", {{"python", PythonFor(jobs_[id].code)}}},
               {"build_results", nullptr},
               {"analysis_results", nullptr},
               {"equivalency_result", nullptr},
               {"error_messages", nullptr}});
  }
  std::map<std::string, std::string> by_key_;
  std::map<std::string, Job> jobs_;
  std::map<Endpoint, int> calls_;
};

// What a test reads back from a store, whichever it is.
struct StoredError {
  std::string entry_id, error_type, message;
  int http_status = 0;
};

// The store under test: a DuckDB file, or the in-memory store.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Store& store() = 0;
  virtual std::vector<Entry> Entries() = 0;
  virtual std::vector<StoredError> Errors() = 0;             // by error_type
  virtual std::map<std::string, std::string> Results() = 0;  // entry id -> python
};

class DuckDbBackend final : public Backend {
 public:
  explicit DuckDbBackend(std::unique_ptr<DuckDbStore> s) : s_(std::move(s)) {}
  Store& store() override { return *s_; }
  std::vector<Entry> Entries() override {
    std::vector<Entry> out;
    auto r = s_->connection().Query(std::string("SELECT ") + EntrySelectList() + " FROM " +
                                    db::QuoteIdentifier(s_->tables().entries) + " ORDER BY id");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    while (auto c = r->NextChunk()) {
      for (std::size_t i = 0; i < c->size(); ++i) out.push_back(ReadEntryRow(*c, i));
    }
    return out;
  }
  std::vector<StoredError> Errors() override {
    std::vector<StoredError> out;
    auto r = s_->connection().Query(
        "SELECT entry_id, error_type, coalesce(error_message, ''), coalesce(http_status, 0) "
        "FROM processing_errors ORDER BY error_type");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    while (auto c = r->NextChunk()) {
      for (std::size_t i = 0; i < c->size(); ++i) {
        out.push_back({std::string(c->GetString(0, i)), std::string(c->GetString(1, i)),
                       std::string(c->GetString(2, i)), c->GetInt32(3, i)});
      }
    }
    return out;
  }
  std::map<std::string, std::string> Results() override {
    std::map<std::string, std::string> out;
    auto r = s_->connection().Query("SELECT cython_id, code FROM " +
                                    db::QuoteIdentifier(s_->tables().results));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    while (auto c = r->NextChunk()) {
      for (std::size_t i = 0; i < c->size(); ++i) {
        out[std::string(c->GetString(0, i))] = std::string(c->GetString(1, i));
      }
    }
    return out;
  }

 private:
  std::unique_ptr<DuckDbStore> s_;
};

class MemoryBackend final : public Backend {
 public:
  explicit MemoryBackend(Clock& clock) : s_(clock) {}
  Store& store() override { return s_; }
  std::vector<Entry> Entries() override {
    std::vector<Entry> out;
    for (int i = 0; i < 1000; ++i) {
      if (auto e = s_.EntryById("e" + std::to_string(100 + i))) out.push_back(*e);
    }
    return out;
  }
  std::vector<StoredError> Errors() override {
    std::vector<StoredError> out;
    for (const auto& e : s_.Errors())
      out.push_back({e.entry_id, e.error_type, e.message, e.http_status});
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.error_type < b.error_type; });
    return out;
  }
  std::map<std::string, std::string> Results() override {
    std::map<std::string, std::string> out;
    for (const auto& [id, r] : s_.Results()) out[id] = r.code;
    return out;
  }

 private:
  MemoryStore s_;
};

enum class Kind { kDuckDb, kMemory };

struct TimedJobs;

class EngineTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kDuckDb) {
      auto s = DuckDbStore::Open({dir_.File("e.duckdb"), {}, {}});
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      backend_ = std::make_unique<DuckDbBackend>(std::move(s).value());
    } else {
      backend_ = std::make_unique<MemoryBackend>(clock_);
    }
    lifecycle_ = std::make_unique<BatchLifecycle>(store(), clock_, entropy_);
    transport_.SetHandler([this](const api::Request& r) { return api_.Handle(r); });
    transport_.set_auto_advance(true);
  }
  Store& store() { return backend_->store(); }
  void Seed(int n, const std::string& prefix = "e") {
    std::vector<EntryInput> in;
    for (int i = 0; i < n; ++i) {
      in.push_back(
          {prefix + std::to_string(100 + i), "cdef int x = " + std::to_string(i), {}, {}, {}});
    }
    ASSERT_TRUE(store().UpsertEntries(in).ok());
  }
  std::string Claim(int n) {
    ClaimOptions claim;
    claim.limit = n;
    auto batch = lifecycle_->Claim(json::object(), claim);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    return batch->id;
  }
  EngineOptions Options(const std::string& batch) {
    EngineOptions o;
    o.batch_id = batch;
    o.max_concurrent = 4;
    o.rate.requests_per_minute = 60000;
    o.rate.burst = 50;
    o.retry.max_retries = 3;
    o.retry.base_delay = std::chrono::milliseconds(100);
    o.retry.max_delay = std::chrono::seconds(2);
    o.poll.initial = std::chrono::milliseconds(200);
    o.poll.max = std::chrono::seconds(2);
    o.store_worker = StoreWorker::Mode::kInline;
    o.seed = 42;
    return o;
  }
  std::unique_ptr<WorkSession> Work(const std::string& batch) {
    auto work = store().OpenWork(batch, {"runner", "host", 1});
    EXPECT_TRUE(work.ok()) << work.status().ToString();
    return std::move(work).value();
  }
  // A run of `n` entries whose jobs `jobs` answers, without etas, at the
  // default first check delay; every entry completes.
  void RunWithoutEtas(int n, TimedJobs& jobs);
  // As `process` runs a batch: the engine over a work session, then the
  // batch lifecycle records how it ended.
  RunSummary RunBatch(const EngineOptions& o, const ProgressSink& progress = nullptr) {
    auto work = Work(o.batch_id);
    RunSummary r;
    {
      Engine engine(*work, transport_, clock_, o);
      r = engine.Run(progress);
    }
    EXPECT_TRUE(work->Release().ok());
    EXPECT_TRUE(lifecycle_->Finish(o.batch_id, r).ok());
    return r;
  }
  BatchRecord Batch(const std::string& id) {
    auto b = store().GetBatch(id);
    EXPECT_TRUE(b.ok() && b->has_value());
    return **b;
  }
  Entry Only() {
    auto entries = backend_->Entries();
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? Entry{} : entries[0];
  }

  testing::TempDir dir_;
  FakeClock clock_;
  testing::SeededEntropy entropy_{7};
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<BatchLifecycle> lifecycle_;
  testing::FakeTransport transport_{&clock_};
  FakeApi api_;
};

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

// Answers for jobs that take `latency(nth)` from their POST: status with the
// eta left (unless !with_eta), results without one until done (then
// FakeApi's own answer). Records when each job was posted, first asked for
// its results, and first checked once done.
struct TimedJobs {
  std::function<Duration(int)> latency;
  bool with_eta = true;
  std::map<std::string, TimePoint> posted, finish, first_results, seen_done;
  std::map<std::string, int> checks;  // status and results requests
  std::optional<api::Response> Answer(const api::Request& req, int nth, TimePoint now) {
    if (req.endpoint == Endpoint::kSubmit) {
      const std::string id = "r" + std::to_string(nth);  // FakeApi's name for it
      posted[id] = now;
      finish[id] = now + latency(nth);
      return std::nullopt;
    }
    const std::string id = req.path.substr(req.path.rfind('/') + 1);
    ++checks[id];
    if (req.endpoint == Endpoint::kResult) first_results.emplace(id, now);
    if (now >= finish.at(id)) {
      seen_done.emplace(id, now);
      return std::nullopt;
    }
    const double eta = std::chrono::duration<double>(finish.at(id) - now).count();
    const bool eta_given = with_eta && req.endpoint == Endpoint::kStatus;
    return FakeApi::Ok({{"request_id", id},
                        {"status", "processing"},
                        {"eta", eta_given ? json(eta) : json()},
                        {"generated_code", nullptr}});
  }
  // How long jobs first..last (FakeApi's numbering) waited, on average, to
  // be seen done after they were.
  Duration MeanLateness(int first, int last) const {
    Duration sum{};
    for (int nth = first; nth <= last; ++nth) {
      const std::string id = "r" + std::to_string(nth);
      sum += seen_done.at(id) - finish.at(id);
    }
    return sum / (last - first + 1);
  }
  double MeanChecks(int first, int last) const {
    int sum = 0;
    for (int nth = first; nth <= last; ++nth) sum += checks.at("r" + std::to_string(nth));
    return static_cast<double>(sum) / (last - first + 1);
  }
  // Answer() as FakeApi's fault hook, at `clock`'s time; both must outlive it.
  auto Hook(const FakeClock& clock) {
    return
        [this, &clock](const api::Request& req, int nth) { return Answer(req, nth, clock.Now()); };
  }
};

void EngineTest::RunWithoutEtas(int n, TimedJobs& jobs) {
  Seed(n);
  EngineOptions o = Options(Claim(n));
  o.poll.initial = std::chrono::milliseconds(25);  // the default
  jobs.with_eta = false;
  api_.fault = jobs.Hook(clock_);
  EXPECT_EQ(RunBatch(o).final.completed, n);
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

// A runner of a shared batch: its session's renewals give it a share of the
// batch's rate. While the share is 0 (the other runners have not made room
// yet) it sends nothing, and renews every lease_retry until it gets one.
class SharedSession final : public WorkSession {
 public:
  SharedSession(std::unique_ptr<WorkSession> inner, std::function<double()> share)
      : inner_(std::move(inner)), share_(std::move(share)) {}
  Result<std::vector<Entry>> Lease(std::size_t limit) override { return inner_->Lease(limit); }
  Result<bool> Drained() override { return inner_->Drained(); }
  Status Commit(const WriteGroup& group) override { return inner_->Commit(group); }
  Result<LeaseState> Renew() override {
    ++renewals;
    LeaseState s;
    s.rate_share = share_();
    return s;
  }
  Status Release() override { return inner_->Release(); }
  Result<BatchCounts> Counts() override { return inner_->Counts(); }
  int renewals = 0;

 private:
  std::unique_ptr<WorkSession> inner_;
  std::function<double()> share_;
};

TEST_P(EngineTest, ARunnerSendsNothingUntilItHasAShareOfTheRateAndThenUsesIt) {
  Seed(40);
  std::string batch = Claim(40);
  api_.sync = true;
  const TimePoint start = clock_.Now();
  SharedSession session(
      Work(batch), [&] { return clock_.Now() - start < std::chrono::seconds(5) ? 0.0 : 0.25; });
  std::vector<TimePoint> posts;
  transport_.SetHandler([&](const api::Request& req) {
    if (req.endpoint == Endpoint::kSubmit) posts.push_back(clock_.Now());
    return api_.Handle(req);
  });
  EngineOptions o = Options(batch);
  o.rate.requests_per_minute = 1200;  // a quarter: 300 rpm, burst 1
  o.rate.burst = 5;
  RunSummary r;
  {
    Engine engine(session, transport_, clock_, o);
    r = engine.Run(nullptr);
  }
  EXPECT_EQ(r.reason, StopReason::kFinished);
  ASSERT_EQ(posts.size(), 40u);
  EXPECT_GE(posts.front() - start, std::chrono::seconds(5)) << "nothing before the share";
  EXPECT_LE(posts.front() - start, std::chrono::seconds(6)) << "renewed every lease_retry";
  EXPECT_GE(session.renewals, 5);
  // 40 requests at 300 rpm with a burst of 1: 39 intervals of 200 ms.
  EXPECT_GE(posts.back() - posts.front(), std::chrono::milliseconds(39 * 200 - 5));
  EXPECT_LE(posts.back() - posts.front(), std::chrono::milliseconds(39 * 200 + 600));
}

// A store that records submissions apart from its commits (as the DuckDB
// file's submission log does): it notes what was recorded and committed.
class RecordingSession final : public WorkSession {
 public:
  explicit RecordingSession(std::unique_ptr<WorkSession> inner) : inner_(std::move(inner)) {}
  Result<std::vector<Entry>> Lease(std::size_t limit) override { return inner_->Lease(limit); }
  Result<bool> Drained() override { return inner_->Drained(); }
  Status Commit(const WriteGroup& group) override {
    ++commits;
    for (const Submitted& s : group.submitted) committed.insert(s.request_id);
    return inner_->Commit(group);
  }
  bool RecordsSubmissions() const override { return true; }
  Status RecordSubmissions(const std::vector<Submitted>& submissions) override {
    ++records;
    for (const Submitted& s : submissions) recorded.insert(s.request_id);
    return Status::Ok();
  }
  Result<LeaseState> Renew() override { return inner_->Renew(); }
  Status Release() override { return inner_->Release(); }
  Result<BatchCounts> Counts() override { return inner_->Counts(); }
  std::set<std::string> recorded, committed;
  int records = 0, commits = 0;

 private:
  std::unique_ptr<WorkSession> inner_;
};

// With such a store a job is polled once its request_id is recorded, without
// waiting for the commit that carries it, and the commits come by
// flush_count and flush_interval only: here one at the end.
TEST_P(EngineTest, AJobIsPolledOnceItsRequestIdIsRecordedNotCommitted) {
  Seed(40);
  std::string batch = Claim(40);
  RecordingSession session(Work(batch));
  int polls = 0, unrecorded = 0, uncommitted = 0;
  transport_.SetHandler([&](const api::Request& req) {
    if (req.endpoint == Endpoint::kStatus || req.endpoint == Endpoint::kResult) {
      const std::string id = req.path.substr(req.path.rfind('/') + 1);
      ++polls;
      unrecorded += session.recorded.count(id) ? 0 : 1;
      uncommitted += session.committed.count(id) ? 0 : 1;
    }
    return api_.Handle(req);
  });
  EngineOptions o = Options(batch);
  o.flush_interval = std::chrono::hours(1);
  o.flush_count = 100000;
  RunSummary r;
  {
    Engine engine(session, transport_, clock_, o);
    r = engine.Run(nullptr);
  }
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(r.final.completed, 40);
  EXPECT_EQ(backend_->Results().size(), 40u);
  EXPECT_GE(polls, 40);  // each job is checked at least once
  EXPECT_EQ(unrecorded, 0) << "a job was polled before its request_id was durable";
  EXPECT_EQ(uncommitted, polls) << "a poll waited for a commit";
  EXPECT_EQ(session.recorded.size(), 40u);
  EXPECT_EQ(session.committed.size(), 40u) << "every submission is committed as well";
  EXPECT_LE(session.commits, 2);
  EXPECT_GE(session.records, 1);
}

// A store told when the runner has nothing left to submit (DuckDB then
// checkpoints while the last jobs are out), noting what had happened by then.
class ReleaseWatchingSession final : public WorkSession {
 public:
  ReleaseWatchingSession(std::unique_ptr<WorkSession> inner, const int* posts)
      : inner_(std::move(inner)), posts_(posts) {}
  Result<std::vector<Entry>> Lease(std::size_t limit) override { return inner_->Lease(limit); }
  Result<bool> Drained() override { return inner_->Drained(); }
  Status Commit(const WriteGroup& group) override {
    if (prepares > 0 && !RecordsSubmissions()) {
      submissions_after += static_cast<int>(group.submitted.size());
    }
    completions += static_cast<int>(group.completions.size());
    return inner_->Commit(group);
  }
  bool RecordsSubmissions() const override { return inner_->RecordsSubmissions(); }
  Status RecordSubmissions(const std::vector<Submitted>& submissions) override {
    if (prepares > 0) submissions_after += static_cast<int>(submissions.size());
    return inner_->RecordSubmissions(submissions);
  }
  Status PrepareForRelease() override {
    ++prepares;
    posts_then = *posts_;
    completions_then = completions;
    return inner_->PrepareForRelease();
  }
  Result<LeaseState> Renew() override { return inner_->Renew(); }
  Status Release() override { return inner_->Release(); }
  Result<BatchCounts> Counts() override { return inner_->Counts(); }
  int prepares = 0, posts_then = -1, completions = 0, completions_then = -1;
  int submissions_after = 0;  // request_ids recorded or committed after the call

 private:
  std::unique_ptr<WorkSession> inner_;
  const int* posts_;
};

// Once, after the last POST and while jobs are still out; with an
// asynchronous server only after the last request_id is durable, so no
// first poll waits behind it.
TEST_P(EngineTest, TheStorePreparesForReleaseOnceNothingIsLeftToSubmit) {
  for (bool sync : {false, true}) {
    SCOPED_TRACE(sync ? "synchronous server" : "asynchronous server");
    const int before = static_cast<int>(backend_->Results().size());
    Seed(40, sync ? "s" : "a");
    std::string batch = Claim(40);
    api_.sync = sync;
    int posts = 0;
    transport_.SetHandler([&](const api::Request& req) {
      if (req.endpoint == Endpoint::kSubmit) ++posts;
      return api_.Handle(req);
    });
    ReleaseWatchingSession session(Work(batch), &posts);
    RunSummary r;
    {
      Engine engine(session, transport_, clock_, Options(batch));
      r = engine.Run(nullptr);
    }
    ASSERT_TRUE(session.Release().ok());
    EXPECT_EQ(r.reason, StopReason::kFinished);
    EXPECT_EQ(r.final.completed, 40);
    EXPECT_EQ(static_cast<int>(backend_->Results().size()) - before, 40);
    EXPECT_EQ(session.prepares, 1);
    EXPECT_EQ(session.posts_then, 40) << "called before the last POST";
    EXPECT_LT(session.completions_then, 40) << "called after the run was over";
    EXPECT_EQ(session.submissions_after, 0) << "a request_id waited behind it";
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineTest, ::testing::Values(Kind::kDuckDb, Kind::kMemory),
                         [](const ::testing::TestParamInfo<Kind>& info) {
                           return info.param == Kind::kDuckDb ? "DuckDb" : "Memory";
                         });

}  // namespace
}  // namespace cnake::engine
