#include "store/duckdb/schema.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/table_names.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

struct Db {
  db::Database db;
  db::Connection conn;
};

Db OpenDb(const std::string& path) {
  auto db = db::Database::Open(path);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  auto conn = db::Connection::Open(*db);
  return {std::move(db).value(), std::move(conn).value()};
}

std::string One(db::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  auto chunk = r->NextChunk();
  if (!chunk || chunk->size() == 0) return "";
  return chunk->IsNull(0, 0) ? "NULL" : std::string(chunk->GetString(0, 0));
}

TEST(SchemaTest, FreshDatabaseGetsDesignTablesAndVersion) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  auto report = Migrate(d.conn, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->created_tables.size(), 7u);  // the four of the design, and three of the client
  EXPECT_EQ(One(d.conn, "SELECT value FROM cnake_meta WHERE key='schema_version'"),
            std::to_string(kSchemaVersion));
  // The design's columns and defaults.
  ASSERT_TRUE(d.conn.Execute("INSERT INTO cython_entries (id, code) VALUES ('a', 'x')").ok());
  EXPECT_EQ(One(d.conn,
                "SELECT processing_status || '/' || processed::VARCHAR || '/' || "
                "(created_at IS NOT NULL)::VARCHAR FROM cython_entries"),
            "pending/false/true");
  EXPECT_EQ(One(d.conn,
                "SELECT data_type FROM information_schema.columns WHERE "
                "table_name='cython_entries' AND column_name='metadata'"),
            "JSON");
  EXPECT_EQ(One(d.conn,
                "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                "information_schema.columns WHERE table_name='batch_jobs'"),
            "id,total_entries,processed_entries,successful_entries,failed_entries,status,options,"
            "started_at,completed_at,updated_at,stop_reason,retry_after_wait_seconds,"
            "breaker_open_seconds,request_summary");
}

// Version 1 had no token columns: a database written by it gains them (NULL
// for its rows), the journal table and key_batch_id (all version 2), and the
// journal's moves_counters (version 3).
TEST(SchemaTest, AVersionOneDatabaseGainsTheTokenColumns) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(d.conn
                  .Execute("CREATE TABLE api_requests (batch_id VARCHAR, entry_id VARCHAR, attempt "
                           "INTEGER, endpoint VARCHAR, http_status INTEGER, latency_ms DOUBLE, "
                           "error_type VARCHAR, occurred_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
                           "INSERT INTO api_requests VALUES ('b', 'e', 1, 'generate', 200, 3, "
                           "NULL, TIMESTAMP '2026-01-01 00:00:00');"
                           "CREATE TABLE cnake_meta (key VARCHAR PRIMARY KEY, value VARCHAR);"
                           "INSERT INTO cnake_meta VALUES ('schema_version', '1')")
                  .ok());
  auto report = Migrate(d.conn, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->from_version, 1);
  for (const char* column : {"api_requests.prompt_tokens", "api_requests.completion_tokens"}) {
    EXPECT_NE(std::find(report->added_columns.begin(), report->added_columns.end(), column),
              report->added_columns.end())
        << column;
  }
  EXPECT_EQ(One(d.conn, "SELECT value FROM cnake_meta WHERE key='schema_version'"), "3");
  EXPECT_EQ(kSchemaVersion, 3);
  EXPECT_EQ(One(d.conn,
                "SELECT coalesce(prompt_tokens, -1)::VARCHAR || '/' || "
                "coalesce(completion_tokens, -1)::VARCHAR FROM api_requests"),
            "-1/-1");
  EXPECT_EQ(One(d.conn,
                "SELECT count(*)::VARCHAR FROM information_schema.tables WHERE "
                "table_name = 'cnake_journal'"),
            "1");
}

TEST(SchemaTest, MigrationIsIdempotent) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(Migrate(d.conn, {}).ok());
  auto again = Migrate(d.conn, {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed());
  EXPECT_EQ(again->from_version, kSchemaVersion);
}

TEST(SchemaTest, ForeignTableWithOnlyIdAndCodeKeepsData) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(d.conn.Execute("CREATE TABLE cython_entries (id VARCHAR, code VARCHAR)").ok());
  ASSERT_TRUE(d.conn
                  .Execute("INSERT INTO cython_entries VALUES ('k1', 'cdef int x'), "
                           "('k2', 'def f(): pass')")
                  .ok());
  auto report = Migrate(d.conn, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->added_columns.size(), 10u);
  EXPECT_EQ(One(d.conn,
                "SELECT string_agg(id || ':' || code || ':' || processing_status, ';' "
                "ORDER BY id) FROM cython_entries"),
            "k1:cdef int x:pending;k2:def f(): pass:pending");
}

// A database written by a client before the waits columns keeps its batches;
// their waits read as NULL ("not recorded"), not as zero.
TEST(SchemaTest, BatchJobsFromAnEarlierClientGainTheWaitsColumns) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(Migrate(d.conn, {}).ok());
  ASSERT_TRUE(d.conn.Execute("ALTER TABLE batch_jobs DROP COLUMN retry_after_wait_seconds").ok());
  ASSERT_TRUE(d.conn.Execute("ALTER TABLE batch_jobs DROP COLUMN breaker_open_seconds").ok());
  ASSERT_TRUE(d.conn.Execute("INSERT INTO batch_jobs (id, total_entries) VALUES ('old', 3)").ok());
  auto report = Migrate(d.conn, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->added_columns.size(), 2u);
  EXPECT_EQ(One(d.conn,
                "SELECT id || ':' || total_entries || ':' || "
                "coalesce(CAST(retry_after_wait_seconds AS VARCHAR), 'NULL') FROM batch_jobs"),
            "old:3:NULL");
}

TEST(SchemaTest, ForeignDesignTableCarriesProcessedFlagOver) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(d.conn
                  .Execute("CREATE TABLE cython_entries (id VARCHAR PRIMARY KEY, code TEXT NOT "
                           "NULL, description TEXT, metadata JSON, tags JSON, processed BOOLEAN "
                           "DEFAULT FALSE, python_id VARCHAR)")
                  .ok());
  ASSERT_TRUE(d.conn
                  .Execute("INSERT INTO cython_entries (id, code, processed) VALUES "
                           "('done', 'x', TRUE), ('todo', 'y', FALSE)")
                  .ok());
  ASSERT_TRUE(Migrate(d.conn, {}).ok());
  EXPECT_EQ(One(d.conn,
                "SELECT string_agg(id || '=' || processing_status, ',' ORDER BY id) FROM "
                "cython_entries"),
            "done=completed,todo=pending");
}

TEST(SchemaTest, IncompatibleColumnTypeIsRefusedAndNothingChanges) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(d.conn
                  .Execute("CREATE TABLE cython_entries (id VARCHAR, code VARCHAR, processed "
                           "INTEGER)")
                  .ok());
  auto report = Migrate(d.conn, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kSchemaMismatch);
  const std::string& msg = report.status().message();
  EXPECT_NE(msg.find("cython_entries"), std::string::npos) << msg;
  EXPECT_NE(msg.find("processed"), std::string::npos) << msg;
  EXPECT_NE(msg.find("INTEGER"), std::string::npos) << msg;
  EXPECT_NE(msg.find("BOOLEAN"), std::string::npos) << msg;
  EXPECT_EQ(One(d.conn, "SELECT count(*)::VARCHAR FROM information_schema.tables"), "1");
  EXPECT_EQ(One(d.conn,
                "SELECT count(*)::VARCHAR FROM information_schema.columns WHERE "
                "table_name='cython_entries'"),
            "3");
}

TEST(SchemaTest, ForeignTableWithoutCodeIsRefused) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(d.conn.Execute("CREATE TABLE cython_entries (id VARCHAR, body VARCHAR)").ok());
  auto report = Migrate(d.conn, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("no column code"), std::string::npos);
}

// A view is not a table the client can update: the open fails and names it.
TEST(SchemaTest, AViewInPlaceOfTheEntriesTableIsRefused) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  ASSERT_TRUE(d.conn.Execute("CREATE VIEW cython_entries AS SELECT 'a' AS id, 'x' AS code").ok());
  auto report = Migrate(d.conn, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("cython_entries"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(One(d.conn, "SELECT count(*)::VARCHAR FROM duckdb_tables() WHERE NOT internal"), "0");
}

TEST(SchemaTest, ConfiguredTableNamesAreUsed) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  TableNames names{"my_src", "my_out"};
  ASSERT_TRUE(Migrate(d.conn, names).ok());
  EXPECT_EQ(One(d.conn,
                "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                "information_schema.tables"),
            "api_requests,batch_jobs,cnake_journal,cnake_meta,my_out,my_src,processing_errors");
}

TEST(SchemaTest, HostileTableNamesAreRefusedBeforeAnySql) {
  testing::TempDir dir;
  Db d = OpenDb(dir.File("a.duckdb"));
  for (std::string bad :
       std::vector<std::string>{"x; DROP TABLE y", "\"quoted\"", "", std::string(64, 'a'), "1abc",
                                "tab le", "café", "batch_jobs", "a-b"}) {
    auto report = Migrate(d.conn, TableNames{bad, "python_entries"});
    ASSERT_FALSE(report.ok()) << bad;
    EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(One(d.conn, "SELECT count(*)::VARCHAR FROM information_schema.tables"), "0");
  EXPECT_FALSE(Migrate(d.conn, TableNames{"same", "SAME"}).ok());
  EXPECT_TRUE(ValidateTableNames(TableNames{std::string(63, 'a'), "_b9"}).ok());
}

}  // namespace
}  // namespace cnake
