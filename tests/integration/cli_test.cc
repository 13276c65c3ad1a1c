// The client binary end to end: real DuckDB files, real processes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/key_table.h"
#include "config/value.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/child_process.h"
#include "testing/nocase_store.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::RunProcess;

const std::string kClient = std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-client";
const std::string kSamples = std::string(CNAKE_SOURCE_DIR) + "/samples/cython";

class CliTest : public ::testing::Test {
 protected:
  ProcessResult Run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), kClient);
    env.emplace("HOME", dir_.path().string());
    env.emplace("PATH", "/usr/bin:/bin");
    return RunProcess(args, env, dir_.path().string());
  }
  std::string Db() const { return dir_.File("data.duckdb"); }
  testing::TempDir dir_;
};

TEST_F(CliTest, InitCreatesSchemaAndIsIdempotent) {
  ProcessResult first = Run({"init", "--db-path", Db()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("created table cython_entries"), std::string::npos) << first.out;
  ProcessResult second = Run({"init", "--db-path", Db()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out.find("created table"), std::string::npos) << second.out;
}

TEST_F(CliTest, ImportSamplesThenReimportChangesNothing) {
  ProcessResult first = Run({"import", kSamples, "--db-path", Db()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(kSamples)) {
    n += e.path().extension() == ".pyx" || e.path().extension() == ".pxd";
  }
  EXPECT_NE(first.out.find("inserted " + std::to_string(n)), std::string::npos) << first.out;
  ProcessResult again = Run({"import", kSamples, "--db-path", Db()});
  EXPECT_NE(again.out.find("inserted 0, updated 0, unchanged " + std::to_string(n)),
            std::string::npos)
      << again.out;
  ProcessResult stats = Run({"stats", "--json", "--db-path", Db()});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto j = nlohmann::json::parse(stats.out);
  EXPECT_EQ(j["total_entries"].get<std::size_t>(), n);
  EXPECT_EQ(j["by_status"]["pending"].get<std::size_t>(), n);
}

TEST_F(CliTest, ReimportOfChangedCodeResetsToPendingAndSaysSo) {
  fs::create_directories(dir_.path() / "src");
  std::ofstream(dir_.path() / "src" / "a.pyx") << "\"\"\"A.\"\"\"\ncdef int a = 1\n";
  ASSERT_EQ(Run({"import", dir_.File("src"), "--db-path", Db()}).exit_code, 0);
  std::ofstream(dir_.path() / "src" / "a.pyx") << "\"\"\"A.\"\"\"\ncdef int a = 2\n";
  ProcessResult r = Run({"import", dir_.File("src"), "--db-path", Db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("updated 1"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("pending again: a"), std::string::npos) << r.err;
}

TEST_F(CliTest, ImportThatSkippedFilesExitsOneAndNamesThem) {
  fs::create_directories(dir_.path() / "src");
  std::ofstream(dir_.path() / "src" / "ok.pyx") << "cdef int a = 1\n";
  std::ofstream(dir_.path() / "src" / "big.pyx") << "# " << std::string(4000, 'x') << "\n";
  ProcessResult r = Run({"import", dir_.File("src"), "--max-file-size", "1000", "--db-path", Db()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("inserted 1, updated 0, unchanged 0, skipped 1"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("big.pyx"), std::string::npos) << r.err;
}

TEST_F(CliTest, ImportOfAnEmptyDirectoryWarnsThatNothingWasFound) {
  fs::create_directories(dir_.path() / "empty" / "sub");
  std::ofstream(dir_.path() / "empty" / "sub" / "notes.txt") << "not cython\n";
  ProcessResult r = Run({"import", dir_.File("empty"), "--db-path", Db()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: found nothing to import in " + dir_.File("empty") +
                       ": no .pyx or .pxd file in it or below it"),
            std::string::npos)
      << r.err;
  std::ofstream(dir_.File("empty.jsonl")) << "";
  ProcessResult jsonl = Run({"import", dir_.File("empty.jsonl"), "--db-path", Db()});
  EXPECT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_NE(jsonl.err.find("warning: found nothing to import in " + dir_.File("empty.jsonl")),
            std::string::npos)
      << jsonl.err;
}

TEST_F(CliTest, LockConflictNamesTheHolderPid) {
  auto store = DuckDbStore::Open({Db(), {}, {}});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ProcessResult r = Run({"stats", "--db-path", Db()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("PID " + std::to_string(getpid())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not cnake-charmer-client"), std::string::npos) << r.err;
}

// A mistyped --db-path must not be answered with zeros from a new, empty
// database: only init and import create one.
TEST_F(CliTest, OnlyInitAndImportCreateADatabase) {
  const std::string missing = dir_.File("typo.duckdb");
  const std::vector<std::vector<std::string>> commands = {
      {"stats"},
      {"stats", "--json"},
      {"status", "--batch-id", "b-1"},
      {"export"},
      {"export", "--format", "py", "-o", dir_.File("py")},
      {"report"},
      {"process"},
      {"process", "--dry-run"},
      {"resume", "--batch-id", "b-1"},
      {"cancel", "--batch-id", "b-1"}};
  for (std::vector<std::string> args : commands) {
    args.insert(args.end(), {"--db-path", missing});
    ProcessResult r = Run(args, {{"CNAKE_API_BASE_URL", "http://127.0.0.1:9/api"}});
    SCOPED_TRACE(args.front() + " " + args[1]);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("database " + missing + " does not exist"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--db-path"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_FALSE(fs::exists(missing + ".wal"));
  }
  ProcessResult init = Run({"init", "--db-path", missing});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(fs::exists(missing));
  const std::string imported = dir_.File("imported.duckdb");
  ProcessResult import = Run({"import", kSamples, "--db-path", imported});
  EXPECT_EQ(import.exit_code, 0) << import.err;
  EXPECT_TRUE(fs::exists(imported));
  EXPECT_EQ(Run({"stats", "--db-path", missing}).exit_code, 0);
}

TEST_F(CliTest, HostileTableNameIsRefusedBeforeTheDatabaseIsTouched) {
  ProcessResult r =
      Run({"init", "--db-path", Db()}, {{"CNAKE_DUCKDB_TABLE_NAME", "x; DROP TABLE y"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("duckdb.table_name"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Db()));
}

TEST_F(CliTest, IncompatibleForeignSchemaIsADatabaseError) {
  {
    auto db = db::Database::Open(Db());
    auto conn = db::Connection::Open(*db);
    ASSERT_TRUE(conn->Execute("CREATE TABLE cython_entries (id INTEGER, code VARCHAR)").ok());
  }
  ProcessResult r = Run({"init", "--db-path", Db()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("column id: found type INTEGER, expected VARCHAR"), std::string::npos)
      << r.err;
}

TEST_F(CliTest, ConfigErrorsExitTwoAndNameTheKey) {
  ProcessResult r = Run({"stats", "--db-path", Db()}, {{"CNAKE_PROCESSING_MAX_CONCURRENT", "0"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("processing.max_concurrent"), std::string::npos) << r.err;
  ProcessResult missing = Run({"--config", dir_.File("nope.toml"), "stats"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.toml"), std::string::npos) << missing.err;
}

TEST_F(CliTest, ConfigShowMasksTheKey) {
  const std::string canary = "canary-4f1e9c2b7a";
  ProcessResult r = Run({"config", "show"}, {{"CNAKE_API_KEY", canary}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(canary), std::string::npos);
  EXPECT_EQ(r.err.find(canary), std::string::npos);
  EXPECT_NE(r.out.find("***"), std::string::npos);
}

TEST_F(CliTest, EveryCommandHasHelpWithExamples) {
  for (std::string cmd : {"init", "import", "export", "stats"}) {
    ProcessResult r = Run({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << r.err;
    EXPECT_NE(r.out.find("Examples:"), std::string::npos) << cmd;
  }
  ProcessResult top = Run({"--help"});
  EXPECT_NE(top.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(Run({"no-such-command"}).exit_code, 2);
}

TEST_F(CliTest, TyposGetSuggestionsAndSecretsAreNeverEchoed) {
  ProcessResult option = Run({"process", "--max-concurent", "3"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.err.find("unknown option --max-concurent for `process`; did you mean "
                            "--max-concurrent?"),
            std::string::npos)
      << option.err;
  ProcessResult command = Run({"stat"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("did you mean 'stats'?"), std::string::npos) << command.err;
  const std::string canary = "canary-key-5f0d2e";
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"process", "--api-key", canary},
                                             {"--api-key=" + canary, "stats"},
                                             {"stats", "--token", canary}}) {
    ProcessResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ((r.out + r.err).find(canary), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.err.find("CNAKE_API_KEY"), std::string::npos) << r.err;
  }
}

TEST_F(CliTest, VersionNamesTheClientDuckDbLibcurlAndTheAllocator) {
  ProcessResult r = Run({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cnake-charmer-client 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DuckDB v1.4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("libcurl 7."), std::string::npos) << r.out;
#ifdef CNAKE_HAVE_MIMALLOC
  EXPECT_NE(r.out.find("allocator mimalloc 2."), std::string::npos) << r.out;
  // The client really runs on it: mimalloc prints its statistics at exit
  // when asked (glibc's malloc knows no such variable).
  ProcessResult stats = Run({"--version"}, {{"MIMALLOC_SHOW_STATS", "1"}});
  EXPECT_NE(stats.err.find("heap stats"), std::string::npos) << stats.err;
#else
  EXPECT_NE(r.out.find("allocator system malloc"), std::string::npos) << r.out;
#endif
}

// The flags come from the key table, so a key documented with a flag is
// always accepted, before or after the subcommand.
TEST_F(CliTest, EveryKeyFlagIsAcceptedBeforeAndAfterTheSubcommand) {
  const Config defaults;
  for (const KeyDescriptor& key : KeyTable()) {
    if (key.flag.empty()) continue;
    SCOPED_TRACE(key.flag);
    const Value value = key.get(defaults);
    const std::string text = key.type == ValueType::kString ? std::get<std::string>(value)
                                                            : FormatValue(key.type, value);
    for (const auto& args : {std::vector<std::string>{"config", "show", key.flag, text},
                             std::vector<std::string>{key.flag, text, "config", "show"}}) {
      ProcessResult r = Run(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_NE(r.out.find("# flag " + key.flag), std::string::npos) << r.out;
    }
  }
}

TEST_F(CliTest, ExportWritesJsonlParquetAndRefusesEscapingIds) {
  {
    auto store = DuckDbStore::Open({Db(), {}, {}});
    ASSERT_TRUE(store.ok());
    std::vector<EntryInput> in = {{"ok/one", "cdef int a", {}, {}, {}},
                                  {"../evil", "cdef int b", {}, {}, {}}};
    ASSERT_TRUE((*store)->UpsertEntries(in).ok());
    ASSERT_TRUE((*store)->StorePythonCode("ok/one", "a = 0\n", {{"attempts", 1}}).ok());
    ASSERT_TRUE((*store)->StorePythonCode("../evil", "b = 0\n", {}).ok());
  }
  ProcessResult jsonl = Run({"export", "--db-path", Db()});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  auto first = nlohmann::json::parse(jsonl.out.substr(0, jsonl.out.find('\n')));
  EXPECT_EQ(first["id"], "../evil");
  EXPECT_EQ(first["code"], "b = 0\n");

  ProcessResult tree =
      Run({"export", "--format", "py", "-o", dir_.File("out/tree"), "--db-path", Db()});
  EXPECT_EQ(tree.exit_code, 1) << tree.err;
  EXPECT_NE(tree.err.find("refused id \"../evil\""), std::string::npos) << tree.err;
  EXPECT_TRUE(fs::exists(dir_.path() / "out/tree/ok/one.py"));
  EXPECT_FALSE(fs::exists(dir_.path() / "out/evil.py"));

  ProcessResult pq =
      Run({"export", "--format", "parquet", "-o", dir_.File("r.parquet"), "--db-path", Db()});
  ASSERT_EQ(pq.exit_code, 0) << pq.err;
  auto db = db::Database::Open(":memory:");
  auto conn = db::Connection::Open(*db);
  auto r = conn->Query("SELECT count(*) FROM read_parquet('" + dir_.File("r.parquet") + "')");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->NextChunk()->GetInt64(0, 0), 2);
}

TEST_F(CliTest, ExportPyRefusesADirectoryOfSomeoneElsesFilesUnlessForced) {
  {
    auto store = DuckDbStore::Open({Db(), {}, {}});
    ASSERT_TRUE(store.ok());
    std::vector<EntryInput> in = {{"ok/one", "cdef int a", {}, {}, {}},
                                  {"two", "cdef int b", {}, {}, {}}};
    ASSERT_TRUE((*store)->UpsertEntries(in).ok());
    ASSERT_TRUE((*store)->StorePythonCode("ok/one", "a = 0\n", {}).ok());
    ASSERT_TRUE((*store)->StorePythonCode("two", "b = 0\n", {}).ok());
  }
  const fs::path out = dir_.path() / "mine";
  fs::create_directories(out / "ok");
  std::ofstream(out / "ok" / "one.py") << "# my own work\n";
  std::ofstream(out / "notes.txt") << "my notes\n";
  ProcessResult refused = Run({"export", "--format", "py", "-o", out.string(), "--db-path", Db()});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("refusing to export into " + out.string()), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("1 file(s) there would be overwritten: ok/one.py"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(testing::ReadLines((out / "ok" / "one.py").string()).at(0), "# my own work");
  EXPECT_FALSE(fs::exists(out / "two.py"));

  // Forced: written, marked, and the file it did not write is named.
  fs::last_write_time(out / "notes.txt", fs::file_time_type::clock::now() - std::chrono::hours(1));
  ProcessResult forced =
      Run({"export", "--format", "py", "-o", out.string(), "--force", "--db-path", Db()});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(testing::ReadLines((out / "ok" / "one.py").string()).at(0), "a = 0");
  EXPECT_TRUE(fs::exists(out / ".cnake-export"));
  EXPECT_NE(
      forced.err.find("note: 1 file(s) under " + out.string() + " were not written by this export"),
      std::string::npos)
      << forced.err;
  EXPECT_NE(forced.err.find("notes.txt"), std::string::npos) << forced.err;
  EXPECT_TRUE(fs::exists(out / "notes.txt"));  // never deleted

  // A directory an earlier export made is written again without --force.
  ProcessResult again = Run({"export", "--format", "py", "-o", out.string(), "--db-path", Db()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

// 30 MB of python under a 16MB memory_limit: one ORDER BY (or parquet row
// group) over all of it ran out of memory; pages do not. The results are
// stored in reverse id order so that the export's order is its own doing.
TEST_F(CliTest, ExportOfMoreResultsThanTheMemoryLimitIsCompleteAndOrdered) {
  constexpr int kResults = 30000;
  {
    auto store = DuckDbStore::Open({Db(), {}, {}});
    ASSERT_TRUE(store.ok());
    for (const char* sql :
         {"INSERT INTO cython_entries (id, code) SELECT 'e' || lpad(i::VARCHAR, 6, '0'), "
          "'cdef int x' FROM range(30000) r(i)",
          "INSERT INTO python_entries (id, code, cython_id) SELECT 'py:e' || lpad(i::VARCHAR, "
          "6, '0'), repeat('x = 1  # padding\n', 60), 'e' || lpad(i::VARCHAR, 6, '0') FROM "
          "range(30000) r(i) ORDER BY i DESC"}) {
      ASSERT_TRUE((*store)->connection().Execute(sql).ok()) << sql;
    }
  }
  const std::map<std::string, std::string> small = {{"CNAKE_DUCKDB_MEMORY_LIMIT", "16MB"}};
  ProcessResult jsonl = Run({"export", "--db-path", Db(), "-o", dir_.File("r.jsonl")}, small);
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  std::ifstream in(dir_.File("r.jsonl"));
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    ids.push_back(nlohmann::json::parse(line)["id"].get<std::string>());
  }
  ASSERT_EQ(static_cast<int>(ids.size()), kResults);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());

  ProcessResult pq = Run(
      {"export", "--format", "parquet", "-o", dir_.File("r.parquet"), "--db-path", Db()}, small);
  ASSERT_EQ(pq.exit_code, 0) << pq.err;
  auto db = db::Database::Open(":memory:");
  auto conn = db::Connection::Open(*db);
  auto r =
      conn->Query("SELECT count(DISTINCT id) FROM read_parquet('" + dir_.File("r.parquet") + "')");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->NextChunk()->GetInt64(0, 0), kResults);
}

// Under COLLATE NOCASE, 'a' is not BETWEEN 'B' AND 'b2' (the byte order of
// the result table's keys), so the page must not bound the entries by range.
TEST_F(CliTest, ExportFindsEntriesWhoseIdColumnIsCaseInsensitive) {
  {
    auto s = testing::OpenStoreWithNocaseIds(Db());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE((*s)->connection()
                    .Execute("INSERT INTO nocase_entries (id, code) VALUES ('B', 'c'), "
                             "('a', 'c'), ('b2', 'c')")
                    .ok());
    ASSERT_TRUE((*s)->connection()
                    .Execute("INSERT INTO python_entries (id, code, cython_id) VALUES "
                             "('py:B', 'x', 'B'), ('py:a', 'x', 'a'), ('py:b2', 'x', 'b2')")
                    .ok());
  }
  ProcessResult r = Run({"export", "--db-path", Db(), "--table", "nocase_entries"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
}

}  // namespace
}  // namespace cnake
