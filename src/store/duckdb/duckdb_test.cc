#include "store/duckdb/duckdb.h"

#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <cstddef>

#include "testing/temp_dir.h"

// jemalloc's control interface inside libduckdb.so (duckdb.h does not declare
// it; weak, so that a libduckdb without jemalloc fails the test, not the link).
extern "C" int duckdb_je_mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                                 std::size_t newlen) __attribute__((weak));

namespace cnake::db {
namespace {

TEST(DuckDbTest, ReportsPinnedVersion) { EXPECT_STREQ(duckdb_library_version(), "v1.4.4"); }

// duckdb.cc's allocator settings reach DuckDB's jemalloc. A DuckDB upgrade that
// renamed its jemalloc prefix would silently bring back about 20 MB of retained
// pages in a long run (docs/reliability.md, promise 6).
TEST(DuckDbTest, DuckDbsAllocatorReturnsFreedPagesPromptly) {
  ASSERT_NE(duckdb_je_mallctl, nullptr) << "libduckdb.so has no bundled jemalloc";
  ASSERT_TRUE(Database::Open(":memory:").ok());
  unsigned narenas = 0;
  ssize_t dirty_ms = -2, muzzy_ms = -2;
  std::size_t len = sizeof narenas;
  ASSERT_EQ(duckdb_je_mallctl("opt.narenas", &narenas, &len, nullptr, 0), 0);
  len = sizeof dirty_ms;
  ASSERT_EQ(duckdb_je_mallctl("opt.dirty_decay_ms", &dirty_ms, &len, nullptr, 0), 0);
  len = sizeof muzzy_ms;
  ASSERT_EQ(duckdb_je_mallctl("opt.muzzy_decay_ms", &muzzy_ms, &len, nullptr, 0), 0);
  EXPECT_EQ(narenas, 1u);
  EXPECT_EQ(dirty_ms, 100);
  EXPECT_EQ(muzzy_ms, 0);
}

TEST(DuckDbTest, QueryAndTypedReads) {
  testing::TempDir dir;
  auto db = Database::Open(dir.File("t.duckdb"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  auto r = conn->Query(
      "SELECT 'a much longer string than twelve bytes' AS s, 42::BIGINT, 1.5::DOUBLE, TRUE, "
      "NULL::VARCHAR");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto chunk = r->NextChunk();
  ASSERT_TRUE(chunk);
  EXPECT_EQ(chunk->GetString(0, 0), "a much longer string than twelve bytes");
  EXPECT_EQ(chunk->GetInt64(1, 0), 42);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(2, 0), 1.5);
  EXPECT_TRUE(chunk->GetBool(3, 0));
  EXPECT_TRUE(chunk->IsNull(4, 0));
  EXPECT_FALSE(r->NextChunk());
}

TEST(DuckDbTest, ErrorsCarryDuckDbMessage) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto conn = Connection::Open(*db);
  auto r = conn->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDatabase);
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos);
  auto p = conn->Prepare("SELEC 1");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("syntax"), std::string::npos) << p.status().message();
}

TEST(DuckDbTest, PreparedStatementsBindValuesNotSql) {
  auto db = Database::Open(":memory:");
  auto conn = Connection::Open(*db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (s VARCHAR, n BIGINT)").ok());
  const std::string hostile = "x'); DROP TABLE t; --";
  ASSERT_TRUE(conn->RunWith("INSERT INTO t VALUES (?, ?)", hostile, std::int64_t{7}).ok());
  auto r = conn->QueryWith("SELECT s, n FROM t WHERE s = ?", hostile);
  ASSERT_TRUE(r.ok());
  auto chunk = r->NextChunk();
  ASSERT_TRUE(chunk);
  EXPECT_EQ(chunk->GetString(0, 0), hostile);
  EXPECT_EQ(chunk->GetInt64(1, 0), 7);
}

TEST(DuckDbTest, SqlStringListMatchesHostileValuesExactly) {
  auto db = Database::Open(":memory:");
  auto conn = Connection::Open(*db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (s VARCHAR)").ok());
  const std::vector<std::string> values = {"x'); DROP TABLE t; --", "a''b", "back\\slash\\'", "ünï",
                                           "plain"};
  for (const auto& v : values) ASSERT_TRUE(conn->RunWith("INSERT INTO t VALUES (?)", v).ok());
  ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES ('other')").ok());
  const auto list = SqlStringList({values.begin(), values.end()});
  ASSERT_TRUE(list.has_value());
  auto r = conn->Query("SELECT s FROM t WHERE s IN " + *list + " ORDER BY s");
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<std::string> found;
  while (auto chunk = r->NextChunk()) {
    for (std::size_t i = 0; i < chunk->size(); ++i) found.emplace_back(chunk->GetString(0, i));
  }
  std::vector<std::string> want = values;
  std::sort(want.begin(), want.end());
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, want);
  EXPECT_FALSE(SqlStringList({std::string_view("nul\0byte", 8)}).has_value());
}

TEST(DuckDbTest, AppenderWritesRowsAndReportsErrors) {
  auto db = Database::Open(":memory:");
  auto conn = Connection::Open(*db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (s VARCHAR, n BIGINT)").ok());
  {
    auto app = Appender::Create(*conn, "t");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    for (int i = 0; i < 3000; ++i) {
      ASSERT_TRUE(app->Append(std::string("row")).ok());
      ASSERT_TRUE(app->Append(std::int64_t{i}).ok());
      ASSERT_TRUE(app->EndRow().ok());
    }
    ASSERT_TRUE(app->Close().ok());
  }
  auto r = conn->Query("SELECT count(*), sum(n) FROM t");
  auto chunk = r->NextChunk();
  EXPECT_EQ(chunk->GetInt64(0, 0), 3000);
  auto missing = Appender::Create(*conn, "missing");
  EXPECT_FALSE(missing.ok());
}

TEST(DuckDbTest, TransactionRollsBackUnlessCommitted) {
  auto db = Database::Open(":memory:");
  auto conn = Connection::Open(*db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (n INTEGER)").ok());
  {
    auto txn = Transaction::Begin(*conn);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES (1)").ok());
  }
  {
    auto txn = Transaction::Begin(*conn);
    ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto r = conn->Query("SELECT list(n) ::VARCHAR FROM t");
  EXPECT_EQ(r->NextChunk()->GetString(0, 0), "[2]");
}

TEST(DuckDbTest, ParsesLockConflict) {
  auto h = ParseLockConflict(
      "IO Error: Could not set lock on file \"/tmp/x.duckdb\": Conflicting lock is held in "
      "/usr/bin/cnake-charmer-client (PID 4242) by user root. See also https://duckdb.org/docs");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->program, "/usr/bin/cnake-charmer-client");
  EXPECT_EQ(h->pid, 4242);
  EXPECT_FALSE(ParseLockConflict("IO Error: disk full"));
}

// The first column of the first row, as text.
std::string Scalar(Connection& conn, const std::string& sql) {
  auto r = conn.Query(sql);
  if (!r.ok()) return "error: " + r.status().message();
  auto chunk = r->NextChunk();
  return chunk && chunk->size() > 0 ? std::string(chunk->GetString(0, 0)) : "no rows";
}

// The file is attached with the row group size and memory limit asked for,
// its tables land in the file (not the in-memory instance), and a second
// open of the file finds them.
TEST(DuckDbTest, FileDatabaseUsesTheRowGroupSizeAndMemoryLimit) {
  testing::TempDir dir;
  const std::string path = dir.File("it's.duckdb");  // a quote in the path
  OpenOptions options;
  options.row_group_size = 4096;
  options.memory_limit = "48MB";
  {
    auto db = Database::Open(path, options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto conn = Connection::Open(*db);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE(conn->Execute("CREATE TABLE t AS SELECT range AS i FROM range(20000)").ok());
    ASSERT_TRUE(conn->Execute("CHECKPOINT").ok());
    EXPECT_EQ(
        Scalar(*conn, "SELECT count(DISTINCT row_group_id)::VARCHAR FROM pragma_storage_info('t')"),
        "5");
    EXPECT_EQ(Scalar(*conn, "SELECT current_setting('memory_limit')"), "45.7 MiB");
    EXPECT_EQ(Scalar(*conn, "SELECT current_setting('temp_directory')"), path + ".tmp");
  }
  auto reopened = Database::Open(path, OpenOptions{.read_only = true});
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto conn = Connection::Open(*reopened);
  EXPECT_EQ(Scalar(*conn, "SELECT count(*)::VARCHAR FROM t"), "20000");
  EXPECT_NE(Scalar(*conn, "CREATE TABLE u (i INT)").find("read-only"), std::string::npos);
}

// HasTable answers for the attached file's main schema only, ignoring case
// as DuckDB's name resolution does, and a view is not a table.
TEST(DuckDbTest, HasTableSeesOnlyTablesOfTheFilesMainSchema) {
  testing::TempDir dir;
  OpenOptions options;
  options.row_group_size = 4096;  // attached, as the store opens it
  auto db = Database::Open(dir.File("t.duckdb"), options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = Connection::Open(*db);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(conn->Execute("CREATE TABLE Entries (id VARCHAR)").ok());
  ASSERT_TRUE(conn->Execute("CREATE VIEW v AS SELECT 1 AS one").ok());
  ASSERT_TRUE(conn->Execute("CREATE SCHEMA other").ok());
  ASSERT_TRUE(conn->Execute("CREATE TABLE other.elsewhere (i INT)").ok());
  ASSERT_TRUE(conn->Execute("CREATE TABLE memory.main.in_memory (i INT)").ok());
  EXPECT_TRUE(conn->HasTable("Entries"));
  EXPECT_TRUE(conn->HasTable("entries"));
  EXPECT_FALSE(conn->HasTable("v"));
  EXPECT_FALSE(conn->HasTable("elsewhere"));
  EXPECT_FALSE(conn->HasTable("in_memory"));
  EXPECT_FALSE(conn->HasTable("missing"));
}

TEST(DuckDbTest, TellsWriteFailuresFromOtherErrors) {
  EXPECT_TRUE(IsWriteFailure(
      "TransactionContext Error: Failed to commit: Could not write file \"/m/d.duckdb.wal\": No "
      "space left on device"));
  EXPECT_TRUE(IsWriteFailure("IO Error: Could not write file \"x.tmp\": No space left on device"));
  EXPECT_TRUE(
      IsWriteFailure("TransactionContext Error: Failed to commit: Could not write file \"d.wal\": "
                     "File too large"));
  EXPECT_FALSE(IsWriteFailure("Constraint Error: Duplicate key \"id: 1\""));
  EXPECT_FALSE(IsWriteFailure("TransactionContext Error: Failed to commit: conflict on tuple"));
  EXPECT_FALSE(IsWriteFailure("IO Error: Could not set lock on file \"x\": Conflicting lock"));
}

// Once a write of the instance failed, every statement of every connection
// is refused with that failure's code, and a rollback still runs.
TEST(DuckDbTest, AFailedWriteStopsEveryLaterStatement) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto conn = Connection::Open(*db);
  auto other = Connection::Open(*db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (v VARCHAR)").ok());
  auto txn = Transaction::Begin(*conn);
  ASSERT_TRUE(txn.ok());
  const std::string message =
      "TransactionContext Error: Failed to commit: Could not write file \"d.wal\": No space "
      "left on device";
  db->fault()->Note(message, ClassifyDuckDbError(message, "query failed"));

  for (Connection* c : {&*conn, &*other}) {
    Status st = c->Execute("INSERT INTO t VALUES ('x')");
    EXPECT_EQ(st.code(), StatusCode::kDiskFull) << st.ToString();
    EXPECT_NE(st.message().find("stopped using the database after a write to it failed"), std::string::npos);
    EXPECT_EQ(c->Prepare("SELECT 1").status().code(), StatusCode::kDiskFull);
    EXPECT_EQ(Appender::Create(*c, "t").status().code(), StatusCode::kDiskFull);
  }
  EXPECT_EQ(txn->Commit().code(), StatusCode::kDiskFull);
  // The refused commit still ended the transaction: its ROLLBACK ran, so a
  // second one (past the wrapper) finds none.
  duckdb_result result;
  EXPECT_EQ(duckdb_query(conn->get(), "ROLLBACK", &result), DuckDBError);
  EXPECT_NE(std::string(duckdb_result_error(&result)).find("no transaction is active"),
            std::string::npos)
      << duckdb_result_error(&result);
  duckdb_destroy_result(&result);
  EXPECT_EQ(db->fault()->Check().code(), StatusCode::kDiskFull);
}

TEST(DuckDbTest, QuotesIdentifiers) {
  EXPECT_EQ(QuoteIdentifier("plain"), "\"plain\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace cnake::db
