// Several runners on one batch through a shared PostgreSQL database
// (docs/scale-out.md), end to end: real client processes on a real
// PostgreSQL server (scripts/pg_server.sh) against the reference server,
// whose request log is the ground truth. Runners die by kill -9, join late,
// share one rate limit, ride out a PostgreSQL restart; afterwards every entry
// is final exactly once and every stored result is what the server sent.
// The whole database is then exported to a DuckDB file (itself under test)
// so that the harness's DuckDB readers check it.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.h"
#include "store/duckdb/duckdb_store.h"
#include "store/postgres/pg.h"
#include "testing/pg_database.h"

namespace cnake::reliability {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ChildProcess;
using testing::ReferenceServer;
using Clock = std::chrono::steady_clock;

constexpr int kLeaseSeconds = 3;
constexpr int kRenewSeconds = 1;

// A PostgreSQL server of the test's own (scripts/pg_server.sh), for what
// would disturb the shared one: restarting it.
class OwnPgServer {
 public:
  OwnPgServer() {
    const std::string out = Shell("scripts/pg_server.sh start");
    std::smatch m;
    if (std::regex_search(out, m, std::regex("CNAKE_TEST_PG_URL=(\\S+)"))) url_ = m[1];
    if (std::regex_search(out, m, std::regex("CNAKE_TEST_PG_DIR=(\\S+)"))) dir_ = m[1];
  }
  ~OwnPgServer() {
    if (!dir_.empty()) Shell("CNAKE_TEST_PG_DIR=" + dir_ + " scripts/pg_server.sh stop");
  }
  const std::string& url() const { return url_; }
  bool Restart() const {
    return !dir_.empty() &&
           Shell("CNAKE_TEST_PG_DIR=" + dir_ + " scripts/pg_server.sh restart && echo restarted")
                   .find("restarted") != std::string::npos;
  }

 private:
  static std::string Shell(const std::string& command) {
    const std::string full = "cd " + std::string(CNAKE_SOURCE_DIR) + " && " + command + " 2>&1";
    std::string out;
    if (FILE* p = popen(full.c_str(), "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, p)) out += buf;
      pclose(p);
    }
    return out;
  }
  std::string url_, dir_;
};

class ScaleOutTest : public ReliabilityTest {
 protected:
  std::map<std::string, std::string> Shared(const std::string& store_url) const {
    return {{"CNAKE_STORE_URL", store_url},
            {"CNAKE_STORE_LEASE_TIME", std::to_string(kLeaseSeconds)},
            {"CNAKE_STORE_RENEW_INTERVAL", std::to_string(kRenewSeconds)}};
  }
  // A runner in the background, its output in <name>.out / <name>.err.
  std::unique_ptr<ChildProcess> Runner(const std::string& name, std::vector<std::string> args,
                                       const std::string& api,
                                       const std::map<std::string, std::string>& env) {
    args.insert(args.begin(), kClient);
    auto full = Env(api);
    for (const auto& [k, v] : env) full[k] = v;
    return std::make_unique<ChildProcess>(args, full, dir_.File(name + ".out"),
                                          dir_.File(name + ".err"));
  }
  std::string ReadFile(const std::string& name) const {
    std::ifstream in(dir_.File(name));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // The first match of `pattern`'s group 1 in <name>.err, waiting up to 60 s.
  std::string WaitFor(const std::string& name, const std::string& pattern) const {
    const std::regex re(pattern);
    const auto until = Clock::now() + 60s;
    while (Clock::now() < until) {
      std::smatch m;
      const std::string err = ReadFile(name + ".err");
      if (std::regex_search(err, m, re)) return m[1];
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << name << ".err never matched " << pattern << ":\n" << ReadFile(name + ".err");
    return "";
  }
  std::string BatchOf(const std::string& name) const {
    return WaitFor(name, R"(batch (b-[0-9a-f-]+): \d+ entries)");
  }
  std::string RunnerIdOf(const std::string& name) const {
    return WaitFor(name, R"(runner ([0-9a-f]+) on )");
  }
  void ImportShared(int n, const std::map<std::string, std::string>& env) {
    std::vector<std::string> codes;
    for (const auto& e : std::filesystem::recursive_directory_iterator(
             std::string(CNAKE_SOURCE_DIR) + "/samples/cython")) {
      if (e.path().extension() != ".pyx") continue;
      std::ifstream in(e.path());
      codes.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::ofstream out(dir_.File("entries.jsonl"));
    char id[32];
    for (int i = 0; i < n; ++i) {
      snprintf(id, sizeof id, "entry-%06d", i);
      out << json{{"id", id}, {"code", codes[i % codes.size()] + "\n# " + std::to_string(i)}}.dump()
          << "\n";
    }
    out.close();
    auto r = Client({"import", dir_.File("entries.jsonl")}, "http://127.0.0.1:9/api", env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Waits for `child` to exit within `limit`; -1 when it did not.
  static int WaitExit(ChildProcess& child, std::chrono::seconds limit) {
    const auto until = Clock::now() + limit;
    int code = -1;
    while (Clock::now() < until) {
      if (child.TryWait(&code)) return code;
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  // Copies the shared database into Db() (export --format duckdb), where the
  // harness's readers look.
  void ExportToDuckDb(const std::map<std::string, std::string>& env) {
    auto r = Client({"export", "--format", "duckdb", "-o", Db()}, "http://127.0.0.1:9/api", env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Every entry final exactly once, the batch counters equal a recount, one
  // job per entry, and no POST for an entry whose request_id was polled
  // (it was committed: jobs are polled only after their commit).
  void ExpectEveryEntryFinalExactlyOnce(int entries) {
    const auto rows = Rows();
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(entries));
    int completed = 0, failed = 0;
    for (const auto& [id, row] : rows) {
      EXPECT_TRUE(row.status == "completed" || row.status == "failed") << id << " " << row.status;
      completed += row.status == "completed";
      failed += row.status == "failed";
      EXPECT_EQ(row.error_rows, row.status == "failed" ? 1 : 0) << id;
      if (row.status == "completed") EXPECT_FALSE(row.python.empty()) << id;
    }
    EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), std::to_string(completed));
    EXPECT_EQ(Query("SELECT processed_entries::VARCHAR FROM batch_jobs"),
              std::to_string(completed + failed));
    EXPECT_EQ(Query("SELECT successful_entries::VARCHAR FROM batch_jobs"),
              std::to_string(completed));
    EXPECT_EQ(Query("SELECT failed_entries::VARCHAR FROM batch_jobs"), std::to_string(failed));
    ExpectResultsMatchServerLog(rows);
    ExpectOneKeyAndAtMostOneJobPerEntry();
    std::set<std::string> polled;
    for (const LogLine& l : ReadLog()) {
      if (l.endpoint == "status" || l.endpoint == "results") polled.insert(l.source);
      if (l.endpoint == "generate") {
        EXPECT_FALSE(polled.count(l.source)) << l.source << " posted after its job was polled";
      }
    }
  }
  // The unfinished entries `runner` holds in the shared database.
  static std::int64_t Held(pg::Connection& conn, const std::string& runner) {
    auto r = conn.Query(
        "SELECT count(*) FROM cython_entries WHERE lease_owner = $1 AND processing_status NOT IN "
        "('completed', 'failed')",
        pg::Args(runner));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->GetInt64(0, 0) : -1;
  }
  static std::int64_t Finished(pg::Connection& conn) {
    auto r = conn.Query(
        "SELECT count(*) FROM cython_entries WHERE processing_status IN ('completed', 'failed')");
    return r.ok() ? r->GetInt64(0, 0) : -1;
  }
};

TEST_F(ScaleOutTest, TwoOfFourRunnersKilledMidBatchTheOthersFinishEveryEntryExactlyOnce) {
  CNAKE_PG_DATABASE(db);
  const auto env = Shared(db.url());
  ReferenceServer server({"--delay", "fixed:300ms", "--capacity", "64", "--request-log", Log()});
  const int kEntries = 240 * Scale();  // scripts/soak.sh: 10x
  ImportShared(kEntries, env);
  const std::vector<std::string> flags = {"--max-concurrent", "8", "--progress", "none"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  };
  std::map<std::string, std::unique_ptr<ChildProcess>> runners;
  runners["a"] =
      Runner("a", with({"process", "--batch-size", std::to_string(kEntries)}), server.url(), env);
  const std::string batch = BatchOf("a");
  ASSERT_FALSE(batch.empty());
  for (const char* name : {"b", "c", "d"}) {
    runners[name] = Runner(name, with({"process", "--join", batch}), server.url(), env);
  }
  auto conn = pg::Connection::Open(db.url());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const std::string b_id = RunnerIdOf("b"), c_id = RunnerIdOf("c");
  // Mid-batch: everyone working, some entries done.
  const auto until = Clock::now() + 60s;
  while (Clock::now() < until &&
         (Finished(*conn) < 40 || Held(*conn, b_id) == 0 || Held(*conn, c_id) == 0)) {
    std::this_thread::sleep_for(20ms);
  }
  const std::int64_t held = Held(*conn, b_id) + Held(*conn, c_id);
  ASSERT_GT(held, 0) << "the runners to kill hold entries";
  runners["b"]->Signal(SIGKILL);
  runners["c"]->Signal(SIGKILL);
  const auto killed = Clock::now();
  EXPECT_EQ(runners["b"]->Wait(), 128 + SIGKILL);
  EXPECT_EQ(runners["c"]->Wait(), 128 + SIGKILL);
  // Takeover: the dead runners' entries are leased by the others.
  while (Held(*conn, b_id) + Held(*conn, c_id) > 0 && Clock::now() - killed < 30s) {
    std::this_thread::sleep_for(20ms);
  }
  const double takeover = std::chrono::duration<double>(Clock::now() - killed).count();
  std::cerr << "takeover of " << held << " entries after " << takeover << " s (lease "
            << kLeaseSeconds << " s, heartbeat " << kRenewSeconds << " s)\n";
  EXPECT_LE(takeover, kLeaseSeconds + kRenewSeconds) << "within lease time + one heartbeat";
  EXPECT_GE(takeover, kLeaseSeconds - kRenewSeconds - 0.2) << "not before the lease lapsed";
  EXPECT_EQ(WaitExit(*runners["a"], 120s), 0) << ReadFile("a.err");
  EXPECT_EQ(WaitExit(*runners["d"], 120s), 0) << ReadFile("d.err");
  EXPECT_EQ(db.Query("SELECT status FROM batch_jobs"), "completed");
  ExportToDuckDb(env);
  ExpectEveryEntryFinalExactlyOnce(kEntries);
}

// One rate limit for the batch: --rpm 1200 (20/s), burst 5, four runners,
// one of which joins late and one of which dies. The server's log is what
// the API saw.
TEST_F(ScaleOutTest, FourRunnersKeepOneRateLimitWhileRunnersJoinAndDie) {
  CNAKE_PG_DATABASE(db);
  auto env = Shared(db.url());
  env["CNAKE_PROCESSING_RATE_LIMIT_BURST"] = "5";
  ReferenceServer server({"--mode", "sync", "--capacity", "64", "--request-log", Log()});
  ImportShared(400, env);
  const std::vector<std::string> flags = {"--rpm", "1200",       "--max-concurrent",
                                          "8",     "--progress", "none"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  };
  std::map<std::string, std::unique_ptr<ChildProcess>> runners;
  runners["a"] = Runner("a", with({"process", "--batch-size", "400"}), server.url(), env);
  const std::string batch = BatchOf("a");
  ASSERT_FALSE(batch.empty());
  runners["b"] = Runner("b", with({"process", "--join", batch}), server.url(), env);
  runners["c"] = Runner("c", with({"process", "--join", batch}), server.url(), env);
  std::this_thread::sleep_for(3s);
  runners["d"] = Runner("d", with({"process", "--join", batch}), server.url(), env);  // joins late
  std::this_thread::sleep_for(3s);
  runners["b"]->Signal(SIGKILL);  // dies
  std::this_thread::sleep_for(6s);
  for (const char* name : {"a", "c", "d"}) runners[name]->Signal(SIGINT);
  for (const char* name : {"a", "c", "d"}) {
    const int code = WaitExit(*runners[name], 30s);
    EXPECT_TRUE(code == 0 || code == 130) << name << " exited " << code << "\n"
                                          << ReadFile(std::string(name) + ".err");
  }
  std::vector<long> times;
  for (const LogLine& l : ReadLog()) {
    if (l.endpoint != "health") times.push_back(l.j["mono_ms"].get<long>());
  }
  std::sort(times.begin(), times.end());
  ASSERT_GT(times.size(), 150u);
  long worst = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const auto end = std::lower_bound(times.begin() + i, times.end(), times[i] + 1000);
    worst = std::max<long>(worst, end - (times.begin() + i));
  }
  std::cerr << times.size() << " requests in " << (times.back() - times.front()) / 1000.0
            << " s; busiest 1-second window: " << worst << " (limit 20 + burst 5)\n";
  EXPECT_LE(worst, 20 + 5);
  // The shares are used, not only bounded: over the run at least half the rate.
  EXPECT_GE(static_cast<double>(times.size()), 0.5 * 20 * (times.back() - times.front()) / 1000.0);
}

TEST_F(ScaleOutTest, StatusListsTheLiveRunnersAndCancelStopsThemAll) {
  CNAKE_PG_DATABASE(db);
  const auto env = Shared(db.url());
  ReferenceServer server({"--delay", "fixed:300ms", "--capacity", "64"});
  ImportShared(300, env);
  auto a =
      Runner("a", {"process", "--batch-size", "300", "--max-concurrent", "4", "--progress", "none"},
             server.url(), env);
  const std::string batch = BatchOf("a");
  ASSERT_FALSE(batch.empty());
  auto b = Runner("b", {"process", "--join", batch, "--progress", "none"}, server.url(), env);
  const std::string a_id = RunnerIdOf("a"), b_id = RunnerIdOf("b");
  json status;
  const auto until = Clock::now() + 30s;
  while (Clock::now() < until) {
    auto r = Client({"status", "--batch-id", batch, "--json"}, server.url(), env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    status = json::parse(r.out);
    if (status["runners"].size() == 2 && status["runners"][1]["rate_share"] == 0.5) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(status["runners"].size(), 2u) << status.dump(2);
  EXPECT_EQ(status["runners"][0]["id"], a_id);
  EXPECT_EQ(status["runners"][1]["id"], b_id);
  EXPECT_EQ(status["runners"][1]["rate_share"], 0.5);
  EXPECT_TRUE(status["live"].get<bool>());
  auto text = Client({"status", "--batch-id", batch}, server.url(), env);
  EXPECT_NE(text.out.find("runners: 2 live"), std::string::npos) << text.out;
  auto cancel = Client({"cancel", "--batch-id", batch}, server.url(), env);
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("2 runner(s) stop"), std::string::npos) << cancel.out;
  EXPECT_EQ(WaitExit(*a, 20s), 130) << ReadFile("a.err");
  EXPECT_EQ(WaitExit(*b, 20s), 130) << ReadFile("b.err");
  EXPECT_EQ(db.Query("SELECT status FROM batch_jobs"), "cancelled");
  EXPECT_EQ(db.Query("SELECT count(*) FROM cnake_runners"), "0") << "both left the registry";
  auto join = Client({"process", "--join", batch}, server.url(), env);
  EXPECT_EQ(join.exit_code, 2) << join.err;
  EXPECT_NE(join.err.find("was cancelled"), std::string::npos) << join.err;
}

TEST_F(ScaleOutTest, AnUnreachableDatabaseAtStartIsAClearErrorWithExitCode3) {
  const auto env = Shared("postgresql://cnake@127.0.0.1:9/queue?connect_timeout=2");
  auto r = Client({"process"}, "http://127.0.0.1:9/api", env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cannot connect to PostgreSQL at postgresql://cnake@127.0.0.1:9/queue"),
            std::string::npos)
      << r.err;
  auto flag = Client({"status", "--batch-id", "b", "--store-url",
                      "postgresql://cnake:s3cret-canary@127.0.0.1:9/queue"},
                     "http://127.0.0.1:9/api");
  EXPECT_EQ(flag.exit_code, 2) << flag.err;
  EXPECT_NE(flag.err.find("PGPASSWORD"), std::string::npos) << flag.err;
  EXPECT_EQ(flag.err.find("s3cret-canary"), std::string::npos) << flag.err;
}

TEST_F(ScaleOutTest, JoinNeedsASharedDatabase) {
  auto r = Client({"process", "--join", "b-1"}, "http://127.0.0.1:9/api");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("store.url"), std::string::npos) << r.err;
}

// DuckDB -> PostgreSQL -> DuckDB keeps every entry, result, batch and error
// with its state and times.
TEST_F(ScaleOutTest, ADuckDbDatabaseSurvivesARoundTripThroughPostgres) {
  CNAKE_PG_DATABASE(db);
  ReferenceServer server({"--delay", "fixed:20ms"});
  ImportEntries(40);
  // Faults follow each entry's Idempotency-Key, which carries the batch's
  // random id: at 0.5, all 30 completing or all failing is ~1e-9 (at 0.2 no
  // failure at all was 0.8^30, 0.12%, and it happened).
  ASSERT_EQ(server.SetScenario(R"({"endpoints": {"generate": {"400": 0.5}}})"), 200);
  auto first = Client({"process", "--batch-size", "30", "--progress", "none"}, server.url());
  ASSERT_EQ(first.exit_code, 1) << first.err << "\n(some entries fail on purpose)";
  const std::string original = Db();
  auto to_pg = Client({"import", original}, server.url(), Shared(db.url()));
  ASSERT_EQ(to_pg.exit_code, 0) << to_pg.err;
  EXPECT_NE(to_pg.out.find("40 entries, "), std::string::npos) << to_pg.out;
  const std::string back = dir_.File("back.duckdb");
  auto to_duckdb =
      Client({"export", "--format", "duckdb", "-o", back}, server.url(), Shared(db.url()));
  ASSERT_EQ(to_duckdb.exit_code, 0) << to_duckdb.err;
  auto read_all = [](const std::string& path) {
    TransferChunk all;
    auto store = DuckDbStore::Open({path, {}, {}});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return all;
    EXPECT_TRUE((*store)
                    ->ReadAll([&](const TransferChunk& c) {
                      all.entries.insert(all.entries.end(), c.entries.begin(), c.entries.end());
                      all.results.insert(all.results.end(), c.results.begin(), c.results.end());
                      all.batches.insert(all.batches.end(), c.batches.begin(), c.batches.end());
                      all.errors.insert(all.errors.end(), c.errors.begin(), c.errors.end());
                      all.requests.insert(all.requests.end(), c.requests.begin(), c.requests.end());
                      return Status::Ok();
                    })
                    .ok());
    return all;
  };
  TransferChunk a = read_all(original), b = read_all(back);
  // The request log has no id: compare it in time order.
  for (TransferChunk* t : {&a, &b}) {
    std::sort(t->requests.begin(), t->requests.end(), [](const RequestRow& x, const RequestRow& y) {
      return std::tie(x.occurred_at, x.entry_id, x.endpoint, x.attempt) <
             std::tie(y.occurred_at, y.entry_id, y.endpoint, y.attempt);
    });
  }
  ASSERT_EQ(a.entries.size(), 40u);
  ASSERT_EQ(b.entries.size(), a.entries.size());
  int completed = 0;
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    const EntryRow &x = a.entries[i], &y = b.entries[i];
    SCOPED_TRACE(x.entry.id);
    EXPECT_EQ(x.entry.id, y.entry.id);
    EXPECT_EQ(x.entry.code, y.entry.code);
    EXPECT_EQ(x.entry.tags_json, y.entry.tags_json);
    EXPECT_EQ(x.entry.metadata_json, y.entry.metadata_json);
    EXPECT_EQ(x.state_text, y.state_text);
    EXPECT_EQ(x.processed, y.processed);
    EXPECT_EQ(x.entry.python_id, y.entry.python_id);
    EXPECT_EQ(x.entry.batch_id, y.entry.batch_id);
    EXPECT_EQ(x.entry.request_id, y.entry.request_id);
    EXPECT_EQ(x.entry.attempts, y.entry.attempts);
    EXPECT_EQ(x.entry.submission_seq, y.entry.submission_seq);
    EXPECT_EQ(x.entry.last_error, y.entry.last_error);
    EXPECT_EQ(x.created_at, y.created_at);
    EXPECT_EQ(x.processed_at, y.processed_at);
    EXPECT_EQ(x.updated_at, y.updated_at);
    completed += x.state_text == "completed";
  }
  EXPECT_GT(completed, 0);
  EXPECT_LT(completed, 30) << "some failed: the round trip carries failures too";
  ASSERT_EQ(b.results.size(), a.results.size());
  for (std::size_t i = 0; i < a.results.size(); ++i) {
    EXPECT_EQ(a.results[i].id, b.results[i].id);
    EXPECT_EQ(a.results[i].code, b.results[i].code);
    EXPECT_EQ(a.results[i].cython_id, b.results[i].cython_id);
    EXPECT_EQ(a.results[i].metadata_json, b.results[i].metadata_json);
    EXPECT_EQ(a.results[i].generated_at, b.results[i].generated_at);
  }
  ASSERT_EQ(a.batches.size(), 1u);
  ASSERT_EQ(b.batches.size(), 1u);
  const BatchRow &x = a.batches[0], &y = b.batches[0];
  EXPECT_EQ(x.record.id, y.record.id);
  EXPECT_EQ(x.record.status_text, y.record.status_text);
  EXPECT_EQ(x.record.total, y.record.total);
  EXPECT_EQ(x.record.successful, y.record.successful);
  EXPECT_EQ(x.record.failed, y.record.failed);
  EXPECT_EQ(x.record.started_at, y.record.started_at);
  EXPECT_EQ(x.record.completed_at, y.record.completed_at);
  EXPECT_EQ(x.options_json, y.options_json);
  EXPECT_EQ(x.record.retry_after_wait_seconds, y.record.retry_after_wait_seconds);
  ASSERT_EQ(b.requests.size(), a.requests.size()) << "the request log comes along";
  EXPECT_GT(a.requests.size(), 30u);
  for (std::size_t i = 0; i < a.requests.size(); ++i) {
    EXPECT_EQ(a.requests[i].entry_id, b.requests[i].entry_id);
    EXPECT_EQ(a.requests[i].http_status, b.requests[i].http_status);
    EXPECT_EQ(a.requests[i].occurred_at, b.requests[i].occurred_at);
  }
  // Importing again replaces rows and adds no request twice.
  auto again = Client({"import", original}, server.url(), Shared(db.url()));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(db.Query("SELECT count(*) FROM api_requests"), std::to_string(a.requests.size()));
  EXPECT_EQ(db.Query("SELECT count(*) FROM cython_entries"), "40");
  // Reports work on PostgreSQL too.
  auto report = Client({"report", "--format", "json"}, server.url(), Shared(db.url()));
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("\"entries\""), std::string::npos) << report.out.substr(0, 500);
  // ... from PostgreSQL's own queries, with the DuckDB original's figures.
  auto duck_report = Client({"report", "--format", "json"}, server.url());
  ASSERT_EQ(duck_report.exit_code, 0) << duck_report.err;
  const auto pj = nlohmann::json::parse(report.out, nullptr, false);
  const auto dj = nlohmann::json::parse(duck_report.out, nullptr, false);
  ASSERT_FALSE(pj.is_discarded() || dj.is_discarded()) << report.out.substr(0, 500);
  for (const char* key : {"entries", "latency_ms", "latency_histogram_ms", "requests", "attempts",
                          "waits", "throughput_entries_per_second"}) {
    EXPECT_EQ(pj[key], dj[key]) << key;
  }
  ASSERT_EQ(b.errors.size(), a.errors.size());
  EXPECT_GT(a.errors.size(), 0u);
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    EXPECT_EQ(a.errors[i].id, b.errors[i].id);
    EXPECT_EQ(a.errors[i].entry_id, b.errors[i].entry_id);
    EXPECT_EQ(a.errors[i].message, b.errors[i].message);
    EXPECT_EQ(a.errors[i].http_status, b.errors[i].http_status);
    EXPECT_EQ(a.errors[i].occurred_at, b.errors[i].occurred_at);
  }
}

// The database restarts mid-run: runners wait, reconnect with backoff and
// finish; nothing is lost or done twice.
TEST_F(ScaleOutTest, APostgresRestartMidRunLosesNothing) {
  if (!testing::PgDatabase::ServerUrl() && !std::getenv("CNAKE_TEST_REQUIRE_PG")) {
    GTEST_SKIP() << testing::PgDatabase::kSkipMessage;
  }
  OwnPgServer pg;
  ASSERT_FALSE(pg.url().empty()) << "scripts/pg_server.sh start failed";
  auto env = Shared(pg.url());
  env["CNAKE_STORE_LEASE_TIME"] = "20";  // rides out the restart
  env["CNAKE_STORE_RENEW_INTERVAL"] = "2";
  ReferenceServer server({"--delay", "fixed:300ms", "--capacity", "64", "--request-log", Log()});
  const int kEntries = 160 * Scale();
  ImportShared(kEntries, env);
  auto a = Runner("a",
                  {"process", "--batch-size", std::to_string(kEntries), "--max-concurrent", "8",
                   "--progress", "none"},
                  server.url(), env);
  const std::string batch = BatchOf("a");
  ASSERT_FALSE(batch.empty());
  auto b = Runner("b", {"process", "--join", batch, "--progress", "none"}, server.url(), env);
  auto conn = pg::Connection::Open(pg.url());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const auto until = Clock::now() + 60s;
  while (Clock::now() < until && Finished(*conn) < 30) std::this_thread::sleep_for(20ms);
  ASSERT_LT(Finished(*conn), kEntries) << "restart mid-run";
  ASSERT_TRUE(pg.Restart());
  EXPECT_EQ(WaitExit(*a, 120s), 0) << ReadFile("a.err");
  EXPECT_EQ(WaitExit(*b, 120s), 0) << ReadFile("b.err");
  auto status = Client({"status", "--batch-id", batch}, server.url(), env);
  EXPECT_NE(status.out.find("(completed)"), std::string::npos) << status.out << status.err;
  ExportToDuckDb(env);
  ExpectEveryEntryFinalExactlyOnce(kEntries);
}

}  // namespace
}  // namespace cnake::reliability
