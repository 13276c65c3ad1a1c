// The libpq wrappers against a real server: parameters (arrays with quotes,
// backslashes and NULLs survive), results, transactions that roll back, and
// error classification.
#include "store/postgres/pg.h"

#include <gtest/gtest.h>

#include "testing/pg_database.h"

namespace cnake::pg {
namespace {

TEST(PgTest, ArrayParametersKeepQuotesBackslashesAndNulls) {
  CNAKE_PG_DATABASE(db);
  auto conn = Connection::Open(db.url());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const std::vector<std::optional<std::string>> values = {"a\"b", "c\\d", std::nullopt, "",
                                                          "{x,y}"};
  auto r = conn->Query(
      "SELECT v, v IS NULL FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) "
      "ORDER BY n",
      Args(values));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows(), 5);
  EXPECT_EQ(r->Get(0, 0), "a\"b");
  EXPECT_EQ(r->Get(1, 0), "c\\d");
  EXPECT_TRUE(r->GetBool(2, 1));
  EXPECT_EQ(r->Get(3, 0), "");
  EXPECT_FALSE(r->GetBool(3, 1));
  EXPECT_EQ(r->Get(4, 0), "{x,y}");
}

TEST(PgTest, ScalarParametersAndTimesRoundTrip) {
  CNAKE_PG_DATABASE(db);
  auto conn = Connection::Open(db.url());
  ASSERT_TRUE(conn.ok());
  const SystemTimePoint t{std::chrono::seconds(1767225600) + std::chrono::microseconds(123456)};
  auto r = conn->Query("SELECT $1::bigint + 1, $2::double precision * 2, $3::boolean, " +
                           IsoUtc("$4::timestamptz") + ", $5::text IS NULL",
                       Args(std::int64_t{41}, 1.25, true, t, std::nullopt));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->GetInt64(0, 0), 42);
  EXPECT_DOUBLE_EQ(r->GetDouble(0, 1), 2.5);
  EXPECT_TRUE(r->GetBool(0, 2));
  EXPECT_EQ(r->Get(0, 3), "2026-01-01T00:00:00.123Z");  // util/time_format.h
  EXPECT_TRUE(r->GetBool(0, 4));
}

TEST(PgTest, ATransactionNotCommittedRollsBackAndErrorsCarrySqlstate) {
  CNAKE_PG_DATABASE(db);
  auto conn = Connection::Open(db.url());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (id text PRIMARY KEY)").ok());
  {
    auto txn = Transaction::Begin(*conn);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES ('a')").ok());
  }
  EXPECT_EQ(db.Query("SELECT count(*) FROM t"), "0");
  ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES ('a')").ok());
  Status dup = conn->Execute("INSERT INTO t VALUES ('a')");
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists) << dup.ToString();
  EXPECT_EQ(conn->last_sqlstate(), "23505");
  EXPECT_FALSE(conn->broken());
}

TEST(PgTest, QuoteIdentifierDoublesQuotes) {
  EXPECT_EQ(QuoteIdentifier("cython_entries"), "\"cython_entries\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace cnake::pg
