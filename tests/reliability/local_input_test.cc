// Promise 12: bad local input gets a clear error naming the problem, a
// documented exit code (README: 2 usage/configuration, 3 database), and the
// database file is left byte for byte as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"
#include "store/duckdb/duckdb.h"

namespace cnake::reliability {
namespace {

namespace fs = std::filesystem;

// A tmpfs of `size` mounted at `path` for the scope's life (needs
// CAP_SYS_ADMIN; tests skip when mounted() is false).
class ScopedTmpfs {
 public:
  ScopedTmpfs(const std::string& path, const std::string& size) : path_(path) {
    fs::create_directory(path);
    auto m = testing::RunProcess({"/bin/mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path},
                                 {{"PATH", "/usr/bin:/bin"}});
    mounted_ = m.exit_code == 0;
    error_ = m.err;
  }
  ScopedTmpfs(const ScopedTmpfs&) = delete;
  ScopedTmpfs& operator=(const ScopedTmpfs&) = delete;
  ~ScopedTmpfs() {
    if (mounted_) testing::RunProcess({"/bin/umount", "-l", path_});
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool RemountReadOnly() const {
    return testing::RunProcess({"/bin/mount", "-o", "remount,ro", path_},
                               {{"PATH", "/usr/bin:/bin"}})
               .exit_code == 0;
  }

 private:
  std::string path_, error_;
  bool mounted_ = false;
};

class LocalInputTest : public ReliabilityTest {
 protected:
  // Runs `process` and checks the exit code, the message and the untouched file.
  void ExpectRefused(const std::vector<std::string>& args, int exit_code,
                     const std::string& message,
                     const std::map<std::string, std::string>& extra = {}) {
    const std::string before = FileSha256(Db());
    auto r = Client(args, "http://127.0.0.1:9/api", extra);
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << "expected '" << message << "' in\n"
                                                      << r.err;
    EXPECT_EQ(FileSha256(Db()), before) << "the database changed";
    EXPECT_FALSE(fs::exists(Db() + ".wal"));
  }
};

TEST_F(LocalInputTest, HostileTableNamesAreRefusedBeforeAnySql) {
  ImportEntries(3);
  for (const std::string& name : std::vector<std::string>{
           "x; DROP TABLE cython_entries", "cython_entries\"--", "a b", "../etc", "", "1abc",
           std::string(64, 'a'), "tab\tle", "\xff\xfe"}) {
    SCOPED_TRACE(name);
    ExpectRefused({"process", "--table", name}, 2, "duckdb.table_name");
    ExpectRefused({"process", "--result-table", name}, 2, "duckdb.result_table");
  }
  ExpectRefused({"process", "--table", "same", "--result-table", "SAME"}, 2, "result_table");
}

TEST_F(LocalInputTest, DatabaseOfTheWrongShapeIsRefusedUnchanged) {
  // Another tool's table of the same name, with incompatible column types.
  {
    auto db = db::Database::Open(Db());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto conn = db::Connection::Open(*db);
    ASSERT_TRUE(conn.ok());
    Status made = conn->Execute(
        "CREATE TABLE cython_entries(id INTEGER[], code BLOB); "
        "INSERT INTO cython_entries VALUES ([1], 'x'::BLOB)");
    ASSERT_TRUE(made.ok()) << made.ToString();
  }
  ExpectRefused({"process"}, 3, "cython_entries");
  ExpectRefused({"init"}, 3, "cython_entries");
}

TEST_F(LocalInputTest, CorruptDatabaseFileIsRefusedUnchanged) {
  std::ofstream(Db(), std::ios::binary) << std::string(4096, '\x5a') << "garbage\0\xff";
  ExpectRefused({"process"}, 3, Db());
  ExpectRefused({"stats"}, 3, Db());
  // A real database with its header damaged.
  fs::remove(Db());
  ImportEntries(2);
  {
    std::fstream f(Db(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f << std::string(64, '\0');
  }
  ExpectRefused({"process"}, 3, Db());
}

TEST_F(LocalInputTest, UnwritableLocationsAreRefused) {
  // Tests run as root, so permission bits do not stop writes; these paths
  // fail for every user: a regular file where a directory is expected, and
  // a directory that cannot hold files (/proc).
  std::ofstream(dir_.File("file")) << "x";
  auto r = Client({"init", "--db-path", dir_.File("file") + "/data.duckdb"}, "http://127.0.0.1:9");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(dir_.File("file")), std::string::npos) << r.err;
  r = Client({"init", "--db-path", "/proc/self/cnake.duckdb"}, "http://127.0.0.1:9");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("/proc/self/cnake.duckdb"), std::string::npos) << r.err;
  // The database path is a directory.
  fs::create_directory(dir_.File("dir.duckdb"));
  r = Client({"init", "--db-path", dir_.File("dir.duckdb")}, "http://127.0.0.1:9");
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(LocalInputTest, MissingOrUnreadableConfigIsAUsageError) {
  ImportEntries(1);
  ExpectRefused({"process", "--config", dir_.File("missing.toml")}, 2, "missing.toml");
  fs::create_directory(dir_.File("conf.d.toml"));
  ExpectRefused({"process", "--config", dir_.File("conf.d.toml")}, 2, "conf.d.toml");
  std::ofstream(dir_.File("bad.toml")) << "[api\nbase_url = ";
  ExpectRefused({"process", "--config", dir_.File("bad.toml")}, 2, "bad.toml");
  std::ofstream(dir_.File("bad.json")) << "{\"api\": {\"timeout\": \"soon\"}}";
  ExpectRefused({"process", "--config", dir_.File("bad.json")}, 2, "api.timeout");
  std::ofstream(dir_.File("bad.yaml")) << "api: [1, 2\n";
  ExpectRefused({"process", "--config", dir_.File("bad.yaml")}, 2, "bad.yaml");
}

// One invalid value for every key (docs/config.md), through its environment
// variable: exit 2 and the key named; the database untouched.
TEST_F(LocalInputTest, InvalidValueInEveryConfigKeyIsRefused) {
  ImportEntries(1);
  const std::pair<const char*, const char*> bad[] = {
      {"api.base_url", "ftp://example.com"},
      {"api.api_key", "has space"},
      {"api.api_key_file",
       "a\x01"
       "b"},
      {"api.timeout", "0"},
      {"api.connect_timeout", "-1"},
      {"api.ca_file", "/nonexistent/ca.pem"},
      {"api.max_retries", "101"},
      {"api.retry_delay", "abc"},
      {"api.max_retry_delay", "1e9"},
      {"duckdb.db_path", "\x01"},
      {"duckdb.table_name", "a-b"},
      {"duckdb.result_table", "1x"},
      {"duckdb.memory_limit", "lots"},
      {"processing.batch_size", "0"},
      {"processing.max_concurrent", "10001"},
      {"processing.job_timeout", "nan"},
      {"processing.poll_interval", "inf"},
      {"processing.max_poll_interval", "0"},
      {"processing.prompt_template", "{unknown}"},
      {"processing.circuit_breaker_threshold", "1.5"},
      {"processing.shutdown_grace", "-0.5"},
      {"processing.rate_limit.requests_per_minute", "0"},
      {"processing.rate_limit.burst", "0"},
      {"logging.level", "loud"},
      {"logging.file", "\x02"},
      {"logging.format", "xml"},
  };
  for (const auto& [key, value] : bad) {
    SCOPED_TRACE(key);
    std::string env = std::string("CNAKE_") + key;
    for (char& c : env) c = c == '.' ? '_' : static_cast<char>(std::toupper(c));
    ExpectRefused({"process"}, 2, key, {{env, value}});
  }
}

// Needs CAP_SYS_ADMIN (mount); skipped where a tmpfs cannot be mounted.
TEST_F(LocalInputTest, FullDiskIsADatabaseErrorAndTheStoredDataSurvives) {
  const std::string mnt = dir_.File("tiny");
  ScopedTmpfs tmpfs(mnt, "2m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();
  const std::string db = mnt + "/data.duckdb";
  // A small import fits; a large one (several MB of code) cannot.
  std::ofstream(dir_.File("small.jsonl")) << R"({"id": "keep-1", "code": "cdef int x = 1\n"})"
                                          << "\n";
  auto r = Client({"import", dir_.File("small.jsonl"), "--db-path", db}, "http://127.0.0.1:9");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  {
    std::ofstream big(dir_.File("big.jsonl"));
    for (int i = 0; i < 400; ++i) {
      big << R"({"id": "big-)" << i << R"(", "code": "# )" << std::string(20000, 'a' + i % 26)
          << R"(\n"})"
          << "\n";
    }
  }
  r = Client({"import", dir_.File("big.jsonl"), "--db-path", db}, "http://127.0.0.1:9");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  RecordProperty("full_disk_message", r.err.substr(0, 300));
  // What was committed before is still there (the failed import rolled back).
  auto stats = Client({"stats", "--json", "--db-path", db}, "http://127.0.0.1:9");
  EXPECT_NE(stats.out.find("\"total_entries\": 1"), std::string::npos) << stats.out << stats.err;
}

// A database on a read-only disk (a tmpfs remounted read-only; as root,
// permission bits would stop nothing): the commands that only read still
// work, the others exit 3 naming the cause, and the file is unchanged.
// Needs CAP_SYS_ADMIN, like the above.
TEST_F(LocalInputTest, ReadOnlyDiskServesTheReadCommandsAndRefusesTheOthers) {
  const std::string mnt = dir_.File("ro");
  ScopedTmpfs tmpfs(mnt, "8m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();
  const std::string db = mnt + "/data.duckdb";
  testing::ReferenceServer server({"--mode", "sync"});
  auto r = Client({"import", std::string(CNAKE_SOURCE_DIR) + "/samples/cython", "--db-path", db},
                  server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Client({"process", "--batch-size", "5", "--db-path", db}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(tmpfs.RemountReadOnly());
  const std::string before = FileSha256(db);

  r = Client({"stats", "--json", "--db-path", db}, server.url());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"python_entries\": 5"), std::string::npos) << r.out;
  r = Client({"export", "--format", "jsonl", "-o", dir_.File("out.jsonl"), "--db-path", db},
             server.url());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::ReadLines(dir_.File("out.jsonl")).size(), 5u);
  const std::string batch = nlohmann::json::parse(
      Client({"stats", "--json", "--db-path", db}, server.url()).out)["recent_batches"][0]["id"];
  r = Client({"status", "--batch-id", batch, "--db-path", db}, server.url());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("completed          5"), std::string::npos) << r.out;
  r = Client({"report", "--type", "summary", "-o", dir_.File("r.md"), "--db-path", db},
             server.url());
  EXPECT_EQ(r.exit_code, 0) << r.err;

  for (std::vector<std::string> args :
       {std::vector<std::string>{"process"}, {"import", dir_.File("none.jsonl")}, {"init"}}) {
    args.insert(args.end(), {"--db-path", db});
    r = Client(args, server.url());
    EXPECT_EQ(r.exit_code, 3) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(FileSha256(db), before) << "the database changed";
}

// A disk that fills up in the middle of a run: the failed commit rolls back,
// the run stops with exit 3 and says how to resume, and the batch then
// finishes elsewhere with nothing lost. After the failed write the run writes
// nothing more (duckdb/write_fault.h: DuckDB replayed a later commit garbled,
// and an entry was completed without its result), so the batch stays
// recorded running, which `status` shows as interrupted (runner gone).
// Needs CAP_SYS_ADMIN, like the above.
TEST_F(LocalInputTest, DiskFullDuringARunStopsItResumably) {
  const std::string mnt = dir_.File("tiny");
  ScopedTmpfs tmpfs(mnt, "4m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();
  const std::string db = mnt + "/data.duckdb";
  {
    std::ofstream in(dir_.File("entries.jsonl"));
    for (int i = 0; i < 200; ++i) {
      in << R"({"id": "e-)" << 1000 + i << R"(", "code": "# )" << std::string(6000, 'a' + i % 26)
         << R"(\ncdef int x = )" << i << R"(\n"})"
         << "\n";
    }
  }
  auto r = Client({"import", dir_.File("entries.jsonl"), "--db-path", db}, "http://127.0.0.1:9");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::ReferenceServer server(
      {"--delay", "fixed:10ms", "--capacity", "8", "--request-log", Log()});
  r = Client({"process", "--batch-size", "200", "--db-path", db}, server.url());
  ASSERT_EQ(r.exit_code, 3) << "the results were expected to fill the 4 MB disk\n" << r.err;
  EXPECT_NE(r.err.find("resume with: cnake-charmer-client resume --batch-id b-"), std::string::npos)
      << r.err;
  RecordProperty("disk_full_run_message", r.err.substr(0, 1200));
  // Resume on a disk with room: every entry completes, each with what the server sent.
  fs::copy_file(db, Db());
  if (fs::exists(db + ".wal")) fs::copy_file(db + ".wal", Db() + ".wal");
  const std::string batch = Query("SELECT id FROM batch_jobs");
  EXPECT_EQ(Query("SELECT status FROM batch_jobs"), "running");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM cython_entries e LEFT JOIN python_entries p ON "
                  "p.cython_id "
                  "= e.id WHERE e.processing_status = 'completed' AND p.id IS NULL"),
            "0")
      << "completed entries without their result after the disk-full run";
  r = Client({"status", "--batch-id", batch}, server.url());
  EXPECT_NE(r.out.find("interrupted (runner gone)"), std::string::npos) << r.out << r.err;
  r = Client({"resume", "--batch-id", batch}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 200u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  ExpectResultsMatchServerLog(rows);
  ExpectOneKeyAndAtMostOneJobPerEntry();
}

}  // namespace
}  // namespace cnake::reliability
