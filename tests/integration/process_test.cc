// `process`, `resume`, `status` and `cancel` end to end: the real client
// binary against the real reference server on loopback, real DuckDB files.
// The server's request log is the ground truth for what was sent.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "client_fixture.h"
#include "store/duckdb/duckdb.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/child_process.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"
#include "util/sha256.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ChildProcess;
using testing::ProcessResult;
using testing::ReferenceServer;

class ProcessTest : public ClientTest {};

TEST_F(ProcessTest, ProcessesEverySampleAndStoresWhatTheServerSent) {
  ReferenceServer server({"--delay", "fixed:20ms", "--capacity", "8", "--request-log", Log()});
  ImportEntries(40);
  ProcessResult r =
      Client({"process", "--batch-size", "100", "--max-concurrent", "8"}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("40 completed, 0 failed"), std::string::npos) << r.out;
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 40u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  ExpectResultsMatchServerLog(rows);
  for (const auto& [entry, p] : PostsPerEntry()) EXPECT_EQ(p.posts, 1) << entry;
  EXPECT_EQ(Query("SELECT status || ':' || successful_entries FROM batch_jobs"), "completed:40");
  EXPECT_FALSE(fs::exists(Db() + ".run"));
  // The concurrency cap as the server saw it.
  auto stats = json::parse(server.Stats());
  EXPECT_LE(stats["max_outstanding_jobs"].get<int>(), 8) << stats.dump();
  EXPECT_GE(stats["max_outstanding_jobs"].get<int>(), 2) << stats.dump();
}

TEST_F(ProcessTest, ThrottlingWithRetryAfterInBothFormsStillCompletes) {
  for (const std::string form : {"seconds", "http-date"}) {
    SCOPED_TRACE(form);
    fs::remove(Db());
    fs::remove(Db() + ".wal");
    testing::TempDir run_dir;
    ReferenceServer server({"--request-log", run_dir.File("log.jsonl"), "--seed", "11"});
    ASSERT_EQ(
        server.SetScenario(R"({"endpoints": {"*": {"429": 0.3}}, "params": {"retry_after_s": 1,
                                    "retry_after_form": ")" +
                           form + R"("}})"),
        200);
    ImportEntries(8);
    // One request at a time, so the request after a 429 was sent after the client saw it.
    ProcessResult r =
        Client({"process", "--batch-size", "8", "--max-concurrent", "1", "--progress", "none"},
               server.url(), {{"CNAKE_API_MAX_RETRIES", "30"}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    int throttled = 0;
    long last_429 = -1;
    for (const auto& line : testing::ReadLines(run_dir.File("log.jsonl"))) {
      auto j = json::parse(line);
      const long t = j["mono_ms"];
      if (last_429 >= 0 && form == "seconds") {
        EXPECT_GE(t - last_429, 900) << "a request went out during a Retry-After pause";
      }
      last_429 = -1;
      if (j["status"] == 429) {
        // The start-up check's requests (/health, the status probe) wait
        // too, but before the batch exists: its recorded pause leaves them out.
        const std::string path = j["path"];
        const bool start_up =
            path == "/api/health" || path.rfind("/api/status/cnake-preflight-", 0) == 0;
        throttled += start_up ? 0 : 1;
        last_429 = t;
      }
    }
    EXPECT_GT(throttled, 0);
    EXPECT_EQ(r.out.find("429s 0,"), std::string::npos) << r.out;
    // The pauses are recorded with the batch (one request at a time, so they
    // do not overlap: about 1 s per 429; an HTTP date has whole seconds).
    const double paused = std::stod(
        Query("SELECT CAST(coalesce(retry_after_wait_seconds, -1) AS VARCHAR) FROM batch_jobs"));
    EXPECT_GE(paused, form == "seconds" ? 0.9 * throttled : 0.1) << throttled << " 429s";
    EXPECT_LE(paused, 1.5 * throttled + 1) << throttled << " 429s";
    ProcessResult status =
        Client({"status", "--batch-id", Query("SELECT id FROM batch_jobs")}, server.url());
    EXPECT_NE(status.out.find("waits: paused on Retry-After"), std::string::npos) << status.out;
  }
}

TEST_F(ProcessTest, RateLimitHoldsOverTenSecondsAgainstTheServer) {
  ReferenceServer server({"--mode", "sync", "--request-log", Log()});
  ImportEntries(300);
  auto child = Background({"process", "--batch-size", "300", "--max-concurrent", "8", "--rpm",
                           "600", "--progress", "none"},
                          server.url(), {{"CNAKE_PROCESSING_RATE_LIMIT_BURST", "5"}});
  ASSERT_TRUE(WaitForRunFile());
  std::this_thread::sleep_for(std::chrono::seconds(12));
  child->Signal(SIGINT);
  EXPECT_EQ(child->Wait(), 130);
  std::vector<long> times;
  for (const auto& line : testing::ReadLines(Log())) {
    auto j = json::parse(line);
    if (j["method"] == "POST") times.push_back(j["mono_ms"]);
  }
  ASSERT_GT(times.size(), 100u);
  // 600/min = 10/s: over 10 s after the first second, 100 requests within 2%.
  const long from = times.front() + 1000, to = from + 10000;
  long in_window =
      std::count_if(times.begin(), times.end(), [&](long t) { return t >= from && t < to; });
  // The exact ±2% figure is proven with a fake clock (scheduler's
  // RateLimiterTest); over real time on a loaded machine a starved client may
  // catch up with at most `burst` (5) saved tokens, never more.
  EXPECT_GE(in_window, 98);
  EXPECT_LE(in_window, 100 + 5);
  // No one-second window above the rate plus the burst.
  for (std::size_t i = 0; i < times.size(); ++i) {
    long n =
        std::count_if(times.begin() + i, times.end(), [&](long t) { return t < times[i] + 1000; });
    EXPECT_LE(n, 10 + 5);
  }
}

TEST_F(ProcessTest, SynchronousServer) {
  ReferenceServer server({"--mode", "sync", "--request-log", Log()});
  ImportEntries(10);
  ProcessResult r = Client({"process", "--batch-size", "10"}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& line : testing::ReadLines(Log())) {
    auto j = json::parse(line);
    // Besides the start-up check (/health, a status probe for an id no job has).
    const std::string path = j["path"];
    if (path != "/api/health" && path.rfind("/api/status/cnake-preflight-", 0) != 0) {
      EXPECT_EQ(j["method"], "POST") << line;
    }
  }
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "10");
}

TEST_F(ProcessTest, AFailedClaimLeavesNoBatchBehind) {
  ReferenceServer server({"--mode", "sync"});
  {
    // A foreign entries table with a rule of its own that the claim breaks.
    auto db = db::Database::Open(Db());
    auto conn = db::Connection::Open(*db);
    ASSERT_TRUE(conn->Execute("CREATE TABLE cython_entries (id VARCHAR PRIMARY KEY, code "
                              "VARCHAR, batch_id VARCHAR CHECK (batch_id IS NULL))")
                    .ok());
    ASSERT_TRUE(
        conn->Execute("INSERT INTO cython_entries VALUES ('e1', 'cdef int x = 1', NULL)").ok());
  }
  ProcessResult r = Client({"process"}, server.url());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("CHECK constraint"), std::string::npos) << r.err;
  // The batch record was created in the claim's transaction: it rolled back too.
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
  EXPECT_EQ(Query("SELECT coalesce(processing_status, 'pending') || '|' || "
                  "coalesce(batch_id, '-') FROM cython_entries"),
            "pending|-");
}

TEST_F(ProcessTest, KillDuringTheClaimLeavesNoBatchAndNoClaimedEntry) {
  ReferenceServer server({"--mode", "sync"});
  ImportEntries(20);
  ProcessResult crashed =
      Client({"process", "--batch-size", "20"}, server.url(), {{"CNAKE_CRASH_AT", "mid_claim"}});
  ASSERT_EQ(crashed.exit_code, 128 + SIGKILL) << crashed.out << crashed.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM cython_entries WHERE batch_id IS NULL AND "
                  "coalesce(processing_status, 'pending') = 'pending'"),
            "20");
  ProcessResult r = Client({"process", "--batch-size", "20"}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "20");
}

// A claim that finds nothing creates no batch any more; empty batches that
// older clients left behind are still resumed without harm.
TEST_F(ProcessTest, ResumeOfABatchThatOwnsNoEntriesChangesNothing) {
  ReferenceServer server({"--mode", "sync"});
  ImportEntries(2);
  Query(
      "INSERT INTO batch_jobs (id, total_entries, status) VALUES ('b-empty', 0, 'completed') "
      "RETURNING id");
  ProcessResult r = Client({"resume", "--batch-id", "b-empty"}, server.url());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("owns no entries"), std::string::npos) << r.out;
  EXPECT_EQ(Query("SELECT status || '|' || total_entries FROM batch_jobs"), "completed|0");
}

TEST_F(ProcessTest, AuthFailureExitsFourWithoutLeakingTheKey) {
  ReferenceServer server({}, {{"CNAKE_SERVER_API_KEY", "the-right-key"}});
  ImportEntries(3);
  const std::string canary = "canary-wrong-key-8d1f";
  ProcessResult r = Client({"process"}, server.url(), {{"CNAKE_API_KEY", canary}});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find(canary), std::string::npos);
  // /health takes no key (docs/api.md), so the start-up check's status probe
  // is where the key is refused: before any claim, nothing to resume.
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM cython_entries WHERE batch_id IS NULL"), "3");
  EXPECT_EQ(r.err.find("resume"), std::string::npos) << r.err;
  ProcessResult ok = Client({"process"}, server.url(), {{"CNAKE_API_KEY", "the-right-key"}});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(ProcessTest, UnreachableApiExitsFourAndSaysWhere) {
  ImportEntries(2);
  ProcessResult r = Client({"process"}, "http://127.0.0.1:9/api");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("Is the API running at http://127.0.0.1:9/api"), std::string::npos) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
}

TEST_F(ProcessTest, LostJobsAreSubmittedAgainAsNewJobs) {
  ReferenceServer server({"--request-log", Log(), "--seed", "3"});
  ASSERT_EQ(server.SetScenario(R"({"endpoints": {"generate": {"job_lost": 0.3}}})"), 200);
  ImportEntries(20);
  ProcessResult r =
      Client({"process", "--batch-size", "20"}, server.url(), {{"CNAKE_API_MAX_RETRIES", "10"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  int resubmitted = 0;
  for (const auto& [entry, p] : PostsPerEntry()) {
    EXPECT_EQ(static_cast<int>(p.keys.size()), p.jobs_created) << entry;
    resubmitted += p.keys.size() > 1;
  }
  EXPECT_GT(resubmitted, 0);
  ExpectResultsMatchServerLog(Rows());
}

TEST_F(ProcessTest, KillNineAtRandomMomentsThenResumeLosesAndDuplicatesNothing) {
  ReferenceServer server(
      {"--delay", "uniform:20ms,300ms", "--capacity", "16", "--request-log", Log()});
  ImportEntries(300);
  std::mt19937 rng(20261128);
  std::string batch;
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> args = {"process", "--batch-size", "300", "--max-concurrent",
                                     "16",      "--progress",   "none"};
    if (!batch.empty()) args = {"resume", "--batch-id", batch, "--progress", "none"};
    fs::remove(Db() + ".run");  // a killed run leaves its run file behind
    auto child = Background(args, server.url());
    // Kill at a random moment while the engine runs (startup crashes are
    // covered by the named crash points below). A resume that finds the
    // batch finished exits without starting the engine: the rounds are over.
    if (!WaitForRunFile(std::chrono::seconds(60), child.get())) {
      ASSERT_FALSE(child->running()) << "no run file within 60 s";
      ASSERT_FALSE(batch.empty()) << "the first run exited before its engine started";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 700));
    child->Signal(SIGKILL);
    child->Wait();
    if (batch.empty()) batch = Query("SELECT id FROM batch_jobs LIMIT 1");
  }
  ASSERT_FALSE(batch.empty());
  ProcessResult last = Client({"resume", "--batch-id", batch}, server.url());
  ASSERT_EQ(last.exit_code, 0) << last.out << last.err;
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 300u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "300");
  ExpectResultsMatchServerLog(rows);
  // One Idempotency-Key and one job per entry: a POST was repeated only when
  // its request_id had not been committed, and then with the same key.
  for (const auto& [entry, p] : PostsPerEntry()) {
    EXPECT_EQ(p.keys.size(), 1u) << entry;
    EXPECT_EQ(p.jobs_created, 1) << entry;
  }
  EXPECT_EQ(Query("SELECT processed_entries || '/' || successful_entries FROM batch_jobs"),
            "300/300");
}

TEST_F(ProcessTest, SigintStopsGracefullyAndResumeFinishes) {
  ReferenceServer server({"--delay", "fixed:400ms", "--capacity", "4", "--request-log", Log()});
  ImportEntries(30);
  auto child = Background({"process", "--batch-size", "30", "--max-concurrent", "4"}, server.url());
  ASSERT_TRUE(WaitForRunFile());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  child->Signal(SIGINT);
  EXPECT_EQ(child->Wait(), 130);
  const std::string batch = Query("SELECT id FROM batch_jobs");
  EXPECT_EQ(Query("SELECT status FROM batch_jobs"), "interrupted");
  ProcessResult r = Client({"resume", "--batch-id", batch}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "30");
  for (const auto& [entry, p] : PostsPerEntry()) EXPECT_EQ(p.jobs_created, 1) << entry;
}

// Issue 21, item 8: a second Ctrl-C does not wait for jobs that outlast the
// grace, yet the batch is still recorded as interrupted, the run file goes,
// and one line says what happened; resume then pays for nothing twice.
TEST_F(ProcessTest, ASecondSigintStopsAtOnceAndStillRecordsTheBatchAsInterrupted) {
  ReferenceServer server({"--delay", "fixed:8s", "--capacity", "8", "--request-log", Log()});
  ImportEntries(6);
  auto child = Background({"process", "--batch-size", "6", "--max-concurrent", "4"}, server.url(),
                          {{"CNAKE_PROCESSING_SHUTDOWN_GRACE", "60"}});
  ASSERT_TRUE(WaitForRunFile());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  child->Signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  child->Signal(SIGINT);
  EXPECT_EQ(child->Wait(), 130);
  std::string err;
  for (const auto& line : testing::ReadLines(dir_.File("client.err"))) err += line + "\n";
  EXPECT_NE(err.find("stopping now: requests in flight are abandoned"), std::string::npos) << err;
  EXPECT_EQ(Query("SELECT status FROM batch_jobs"), "interrupted");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "0")
      << "it waited for the 8 s jobs";
  EXPECT_FALSE(fs::exists(Db() + ".run"));
  ProcessResult r =
      Client({"resume", "--batch-id", Query("SELECT id FROM batch_jobs")}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "6");
  for (const auto& [entry, p] : PostsPerEntry()) EXPECT_EQ(p.jobs_created, 1) << entry;
}

TEST_F(ProcessTest, StatusAndCancelFromASecondProcessWhileRunning) {
  ReferenceServer server({"--delay", "fixed:300ms", "--capacity", "2"});
  ImportEntries(40);
  auto child = Background({"process", "--batch-size", "40", "--max-concurrent", "2"}, server.url());
  ASSERT_TRUE(WaitForRunFile());
  EXPECT_EQ(fs::status(Db() + ".run").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto run = json::parse(testing::ReadLines(Db() + ".run").at(0));
  const std::string batch = run["batch_id"];

  ProcessResult status = Client({"status", "--batch-id", batch, "--json"}, server.url());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto live = json::parse(status.out);
  EXPECT_EQ(live["live"], true);
  EXPECT_EQ(live["counts"]["total"], 40);

  ProcessResult stats = Client({"stats", "--json"}, server.url());
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(json::parse(stats.out)["live_batch"]["batch_id"], batch);

  ProcessResult second = Client({"process"}, server.url());
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_NE(second.err.find("PID " + std::to_string(child->pid())), std::string::npos)
      << second.err;

  ProcessResult cancel = Client({"cancel", "--batch-id", batch}, server.url());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(child->Wait(), 130);
  EXPECT_EQ(Query("SELECT status FROM batch_jobs"), "cancelled");
  ProcessResult stored = Client({"status", "--batch-id", batch}, server.url());
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  ProcessResult resume =
      Client({"resume", "--batch-id", batch, "--max-concurrent", "8"}, server.url());
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_NE(resume.err.find("processing.max_concurrent = 8"), std::string::npos) << resume.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "40");
}

TEST_F(ProcessTest, ThirtySecondOutageInTheMiddleFailsNothing) {
  ReferenceServer server({"--delay", "fixed:100ms", "--capacity", "8", "--request-log", Log()});
  ImportEntries(60);
  auto child =
      Background({"process", "--batch-size", "60", "--max-concurrent", "4", "--progress", "log"},
                 server.url());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_EQ(server.SetScenario(R"({"duration_s": 30, "endpoints": {"*": {"503": 1.0}}})"), 200);
  EXPECT_EQ(child->Wait(), 0) << testing::ReadLines(dir_.File("client.err")).back();
  auto rows = Rows();
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  // During the outage the breaker holds requests to probes (plus the wave that opened it).
  int during = 0;
  for (const auto& line : testing::ReadLines(Log())) {
    if (json::parse(line)["status"] == 503) ++during;
  }
  EXPECT_LT(during, 40) << "requests during the outage";
}

}  // namespace
}  // namespace cnake

namespace cnake {
namespace {

// kill -9 at named moments (CNAKE_CRASH_AT), then resume until done.
class CrashPointTest : public ProcessTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CrashPointTest, ResumeFinishesWithEveryEntryOnceAndNoSecondJob) {
  ReferenceServer server(
      {"--delay", "uniform:10ms,80ms", "--capacity", "8", "--request-log", Log()});
  ImportEntries(60);
  ProcessResult crashed = Client({"process", "--batch-size", "60", "--max-concurrent", "8"},
                                 server.url(), {{"CNAKE_CRASH_AT", GetParam()}});
  ASSERT_EQ(crashed.exit_code, 128 + SIGKILL) << crashed.out << crashed.err;
  const std::string batch = Query("SELECT id FROM batch_jobs");
  ASSERT_FALSE(batch.empty());
  // Crash again at the same point on resume, then resume cleanly.
  ProcessResult again =
      Client({"resume", "--batch-id", batch}, server.url(), {{"CNAKE_CRASH_AT", GetParam()}});
  ProcessResult done = Client({"resume", "--batch-id", batch}, server.url());
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 60u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "60");
  ExpectResultsMatchServerLog(rows);
  for (const auto& [entry, p] : PostsPerEntry()) {
    EXPECT_EQ(p.keys.size(), 1u) << entry;
    EXPECT_EQ(p.jobs_created, 1) << entry;
  }
  EXPECT_EQ(Query("SELECT processed_entries || '/' || successful_entries FROM batch_jobs"),
            "60/60");
}

// kill -9 once request_ids are in the submission log beside the database
// (store/duckdb/submission_log.h) and before DuckDB committed them: the
// resume applies the log and polls those jobs instead of posting them again.
TEST_F(ProcessTest, RequestIdsInTheSubmissionLogArePolledAfterACrashNotPostedAgain) {
  ReferenceServer server({"--delay", "fixed:0ms", "--request-log", Log()});
  ImportEntries(40);
  ProcessResult crashed = Client({"process", "--batch-size", "40", "--max-concurrent", "8"},
                                 server.url(), {{"CNAKE_CRASH_AT", "after_request_id_recorded:2"}});
  ASSERT_EQ(crashed.exit_code, 128 + SIGKILL) << crashed.out << crashed.err;
  std::set<std::string> logged;
  for (const auto& line : testing::ReadLines(Db() + ".submissions")) {
    logged.insert(json::parse(line.substr(line.find(' ') + 1))["e"].get<std::string>());
  }
  ASSERT_FALSE(logged.empty()) << "the crash came after a record";
  // No store is opened here before the resume: the client's open must apply the log.
  ProcessResult done = Client({"resume", "--all"}, server.url());
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  auto posts = PostsPerEntry();
  for (const std::string& id : logged) EXPECT_EQ(posts[id].posts, 1) << id << " posted again";
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "40");
  EXPECT_FALSE(std::filesystem::exists(Db() + ".submissions")) << "a finished run leaves no log";
}

INSTANTIATE_TEST_SUITE_P(Points, CrashPointTest,
                         ::testing::Values("after_claim", "after_post_sent:5",
                                           "before_request_id_commit:7",
                                           "after_request_id_recorded:3", "mid_result_group:2"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace cnake
