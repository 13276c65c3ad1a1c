// The engine tests' fixture: a fake API (in-process, scripted by endpoint), a
// fake clock and each store (a real DuckDB file and the in-memory store). No
// sockets, no sleeps; the store worker runs inline. Shared by engine_test.cc
// and engine_store_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "api/api_paths.h"
#include "engine/batch_lifecycle.h"
#include "engine/engine.h"
#include "engine/idempotency.h"
#include "store/duckdb/duckdb_store.h"
#include "store/memory/memory_store.h"
#include "testing/fake_clock.h"
#include "testing/fake_transport.h"
#include "testing/nocase_store.h"
#include "testing/seeded_entropy.h"
#include "testing/temp_dir.h"

namespace cnake::engine::test_support {

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

// Adds n entries "<prefix>100", "<prefix>101", ... with distinct code.
inline void SeedEntries(Store& store, int n, const std::string& prefix = "e") {
  std::vector<EntryInput> in;
  for (int i = 0; i < n; ++i) {
    in.push_back(
        {prefix + std::to_string(100 + i), "cdef int x = " + std::to_string(i), {}, {}, {}});
  }
  ASSERT_TRUE(store.UpsertEntries(in).ok());
}

// Claims up to n pending entries for a new batch; returns its id.
inline std::string ClaimBatch(BatchLifecycle& lifecycle, int n) {
  ClaimOptions claim;
  claim.limit = n;
  auto batch = lifecycle.Claim(json::object(), claim);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? batch->id : "";
}

// What every engine test starts from: 4 in flight, a rate limit that does
// not bind, 3 quick retries, commits inline on the loop's thread.
inline EngineOptions BaseOptions(const std::string& batch) {
  EngineOptions o;
  o.batch_id = batch;
  o.max_concurrent = 4;
  o.rate.requests_per_minute = 60000;
  o.rate.burst = 50;
  o.retry.max_retries = 3;
  o.retry.base_delay = std::chrono::milliseconds(100);
  o.retry.max_delay = std::chrono::seconds(2);
  o.store_worker = StoreWorker::Mode::kInline;
  o.seed = 42;
  return o;
}

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
  void Seed(int n, const std::string& prefix = "e") { SeedEntries(store(), n, prefix); }
  std::string Claim(int n) { return ClaimBatch(*lifecycle_, n); }
  EngineOptions Options(const std::string& batch) {
    EngineOptions o = BaseOptions(batch);
    o.poll.initial = std::chrono::milliseconds(200);
    o.poll.max = std::chrono::seconds(2);
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

inline void EngineTest::RunWithoutEtas(int n, TimedJobs& jobs) {
  Seed(n);
  EngineOptions o = Options(Claim(n));
  o.poll.initial = std::chrono::milliseconds(25);  // the default
  jobs.with_eta = false;
  api_.fault = jobs.Hook(clock_);
  EXPECT_EQ(RunBatch(o).final.completed, n);
}

inline std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kDuckDb ? "DuckDb" : "Memory";
}

}  // namespace cnake::engine::test_support
