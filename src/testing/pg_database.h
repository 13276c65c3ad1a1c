// A throwaway PostgreSQL schema for one test, on the server scripts/test.sh
// starts (scripts/pg_server.sh; its URL in CNAKE_TEST_PG_URL). The schema is
// created fresh and dropped at the end; url() selects it through libpq's
// `options=-csearch_path=...`, so every store table lands in it. Test-only.
//
// Without CNAKE_TEST_PG_URL the tests that need PostgreSQL skip, saying how
// to run them, unless CNAKE_TEST_REQUIRE_PG=1 (scripts/test.sh, CI), where
// they fail instead: CI must never skip them.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cnake::testing {

class PgDatabase {
 public:
  // The server's URL, or nullopt when no test server was started.
  static std::optional<std::string> ServerUrl();
  // The message a test prints when it cannot run.
  static const char* kSkipMessage;

  PgDatabase();   // ok() false when the server is missing or the schema could not be made
  ~PgDatabase();  // drops the schema
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  bool ok() const { return !url_.empty(); }
  const std::string& error() const { return error_; }
  // The server URL with search_path set to this test's schema.
  const std::string& url() const { return url_; }
  const std::string& schema() const { return schema_; }
  // Runs SQL on the server in this schema; "" on success, else the error.
  std::string Exec(const std::string& sql) const;
  // The first column of the first row of `sql` in this schema ("" for none or NULL).
  std::string Query(const std::string& sql) const;

 private:
  std::string schema_, url_, error_;
};

}  // namespace cnake::testing

// In a TEST body: skips (or, under scripts/test.sh, fails) when no test
// server runs, and otherwise declares `db`, a fresh schema.
#define CNAKE_PG_DATABASE(db)                                                \
  if (!::cnake::testing::PgDatabase::ServerUrl()) {                          \
    if (std::getenv("CNAKE_TEST_REQUIRE_PG")) {                              \
      FAIL() << "CNAKE_TEST_REQUIRE_PG is set but CNAKE_TEST_PG_URL is not"; \
    }                                                                        \
    GTEST_SKIP() << ::cnake::testing::PgDatabase::kSkipMessage;              \
  }                                                                          \
  ::cnake::testing::PgDatabase db;                                           \
  ASSERT_TRUE(db.ok()) << db.error()
