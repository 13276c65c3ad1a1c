// The engine against a fake API (in-process, scripted by endpoint) and a fake
// clock, over a real DuckDB file. No sockets, no sleeps.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api/api_paths.h"
#include "testing/fake_clock.h"
#include "testing/fake_transport.h"
#include "testing/nocase_store.h"
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

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open({dir_.File("e.duckdb"), {}, {}});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_.emplace(std::move(s).value());
    transport_.SetHandler([this](const api::Request& r) { return api_.Handle(r); });
    transport_.set_auto_advance(true);
  }
  void Seed(int n) {
    std::vector<EntryInput> in;
    for (int i = 0; i < n; ++i) {
      in.push_back(
          {"e" + std::to_string(100 + i), "cdef int x = " + std::to_string(i), {}, {}, {}});
    }
    ASSERT_TRUE(store_->UpsertEntries(in).ok());
  }
  std::string Claim(int n) {
    auto id = store_->CreateBatchRecord(0, json::object());
    EXPECT_TRUE(id.ok());
    ClaimOptions claim;
    claim.limit = n;
    EXPECT_TRUE(ClaimEntries(*store_, *id, claim).ok());
    return *id;
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
    o.seed = 42;
    return o;
  }
  RunSummary RunBatch(const EngineOptions& o) {
    Engine engine(*store_, transport_, clock_, o);
    return engine.Run(nullptr);
  }
  std::string One(const std::string& sql) {
    auto r = store_->connection().Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto c = r->NextChunk();
    return c && c->size() && !c->IsNull(0, 0) ? std::string(c->GetString(0, 0)) : "NULL";
  }

  testing::TempDir dir_;
  std::optional<Store> store_;
  FakeClock clock_;
  testing::FakeTransport transport_{&clock_};
  FakeApi api_;
};

TEST_F(EngineTest, CompletesEveryEntryAndStoresWhatTheApiSent) {
  Seed(20);
  std::string batch = Claim(20);
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.reason, StopReason::kFinished) << r.message;
  EXPECT_EQ(r.final.completed, 20);
  EXPECT_EQ(One("SELECT count(*)::VARCHAR FROM python_entries p JOIN cython_entries e ON "
                "e.id = p.cython_id WHERE p.code = '# py' || chr(10) || e.code"),
            "20");
  EXPECT_EQ(One("SELECT status || ':' || processed_entries || ':' || successful_entries || ':' || "
                "failed_entries FROM batch_jobs"),
            "completed:20:20:0");
  for (const auto& [entry, posts] : api_.posts_per_entry) EXPECT_EQ(posts, 1) << entry;
}

TEST_F(EngineTest, NeverMoreJobsInFlightThanTheCap) {
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

TEST_F(EngineTest, SynchronousServerCompletesWithoutPolling) {
  Seed(5);
  api_.sync = true;
  RunSummary r = RunBatch(Options(Claim(5)));
  EXPECT_EQ(r.final.completed, 5);
  EXPECT_EQ(transport_.CountRequests(
                [](const api::Request& q) { return q.endpoint != Endpoint::kSubmit; }),
            0u);
}

TEST_F(EngineTest, JobsWhosePostIsUnderWayCountAsInFlight) {
  Seed(12);
  api_.sync = true;
  transport_.SetHandlerDelay(std::chrono::seconds(1));
  std::int64_t peak = 0;
  Engine engine(*store_, transport_, clock_, Options(Claim(12)));
  RunSummary r = engine.Run([&](const Snapshot& s) { peak = std::max(peak, s.jobs_in_flight); });
  EXPECT_EQ(r.final.completed, 12);
  EXPECT_EQ(peak, 4);  // max_concurrent, though no job ever holds a request_id
}

TEST_F(EngineTest, TransientPostFailureRetriesWithTheSameKey) {
  Seed(1);
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
  EXPECT_EQ(One("SELECT attempts::VARCHAR FROM cython_entries"), "3");
}

TEST_F(EngineTest, PermanentErrorFailsTheEntryWithItsType) {
  Seed(2);
  api_.fault = [](const api::Request& req, int nth) -> std::optional<api::Response> {
    if (req.endpoint == Endpoint::kSubmit && nth == 1) return FakeApi::Http(422, "bad body");
    return std::nullopt;
  };
  RunSummary r = RunBatch(Options(Claim(2)));
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(r.final.failed, 1);
  EXPECT_EQ(r.final.completed, 1);
  EXPECT_EQ(
      One("SELECT error_type || ':' || http_status || ':' || error_message FROM processing_errors"),
      "http_422:422:HTTP 422: bad body");
  EXPECT_EQ(One("SELECT failed_entries::VARCHAR FROM batch_jobs"), "1");
}

TEST_F(EngineTest, AuthFailureStopsTheRun) {
  Seed(10);
  api_.fault = [](const api::Request&, int) -> std::optional<api::Response> {
    return FakeApi::Http(401, "Not authenticated");
  };
  RunSummary r = RunBatch(Options(Claim(10)));
  EXPECT_EQ(r.reason, StopReason::kAuthFailed);
  EXPECT_NE(r.message.find("authentication failed"), std::string::npos);
  EXPECT_LE(transport_.requests().size(), 4u);  // the first wave only
  EXPECT_EQ(One("SELECT status FROM batch_jobs"), "failed");
  EXPECT_EQ(One("SELECT count(*)::VARCHAR FROM cython_entries WHERE processing_status = 'failed'"),
            "0");
}

TEST_F(EngineTest, LostJobIsSubmittedAgainWithANewKey) {
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
  EXPECT_EQ(One("SELECT submission_seq::VARCHAR FROM cython_entries"), "1");
}

TEST_F(EngineTest, FailedJobAndMissingPythonFailTheEntry) {
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
  EXPECT_EQ(One("SELECT string_agg(error_type, ',' ORDER BY error_type) FROM processing_errors"),
            "job_failed,missing_python");
  EXPECT_NE(One("SELECT error_message FROM processing_errors WHERE error_type='job_failed'")
                .find("cannot build; syntax"),
            std::string::npos);
}

TEST_F(EngineTest, RetriesAreBoundedByMaxRetries) {
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
  EXPECT_EQ(One("SELECT error_type FROM processing_errors"), "http_500");
}

TEST_F(EngineTest, JobThatNeverCompletesFailsAtItsDeadline) {
  Seed(1);
  api_.polls_to_complete = 1 << 30;
  EngineOptions o = Options(Claim(1));
  o.job_timeout = std::chrono::seconds(30);
  const TimePoint start = clock_.Now();
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.final.failed, 1);
  EXPECT_EQ(One("SELECT error_type FROM processing_errors"), "timeout");
  EXPECT_LE(clock_.Now() - start, std::chrono::seconds(31));
}

TEST_F(EngineTest, ResumePollsStoredRequestIdsInsteadOfPostingAgain) {
  Seed(3);
  std::string batch = Claim(3);
  // First run: the POSTs go out, then the run is interrupted before any result.
  {
    EngineOptions o = Options(batch);
    o.shutdown_grace = Duration::zero();
    Engine engine(*store_, transport_, clock_, o);
    int responses = 0;
    api_.fault = [&](const api::Request& req, int) -> std::optional<api::Response> {
      if (req.endpoint == Endpoint::kStatus && ++responses == 1)
        engine.RequestStop(StopReason::kInterrupted);
      return std::nullopt;
    };
    RunSummary r = engine.Run(nullptr);
    EXPECT_EQ(r.reason, StopReason::kInterrupted);
  }
  EXPECT_EQ(One("SELECT count(request_id)::VARCHAR FROM cython_entries"), "3");
  api_.fault = nullptr;
  const std::size_t posts_before = api_.posts_per_key.size();
  RunSummary r = RunBatch(Options(batch));
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(r.final.completed, 3);
  EXPECT_EQ(api_.posts_per_key.size(), posts_before);
  for (const auto& [entry, posts] : api_.posts_per_entry) EXPECT_EQ(posts, 1) << entry;
}

// Ids that a foreign tool declared case-insensitive: commits must not filter
// them by byte order ('a' is not BETWEEN 'B' AND 'b2' under NOCASE).
TEST_F(EngineTest, EntriesWithACaseInsensitiveIdColumnAllComplete) {
  store_.reset();
  auto s = testing::OpenStoreWithNocaseIds(dir_.File("nocase.duckdb"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_.emplace(std::move(s).value());
  std::vector<EntryInput> in;
  for (const char* id : {"B", "a", "b2"}) in.push_back({id, "cdef int x = 1", {}, {}, {}});
  ASSERT_TRUE(store_->UpsertEntries(in).ok());
  EngineOptions o = Options(Claim(3));
  o.max_concurrent = 3;
  api_.sync = true;  // the three results land in one commit
  RunSummary r = RunBatch(o);
  EXPECT_EQ(r.reason, StopReason::kFinished) << r.message;
  EXPECT_EQ(r.final.completed, 3);
  EXPECT_EQ(One("SELECT count(*)::VARCHAR FROM nocase_entries WHERE processing_status = "
                "'completed'"),
            "3");
}

TEST_F(EngineTest, OutageOpensTheBreakerAndFailsNothing) {
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

}  // namespace
}  // namespace cnake::engine
