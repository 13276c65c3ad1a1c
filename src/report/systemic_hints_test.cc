#include "report/systemic_hints.h"

#include <gtest/gtest.h>

#include "store/duckdb/duckdb.h"
#include "store/duckdb/queries.h"

namespace cnake::report {
namespace {

std::vector<RequestOutcome> Repeat(std::size_t n, RequestOutcome o) {
  return std::vector<RequestOutcome>(n, o);
}

TEST(SystemicHints, AllThrottledSaysLowerRpm) {
  auto hints = SystemicHints(Repeat(100, {"http_429", 429}), {"http://x/api", 600});
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_NE(hints[0].find("all 100 recent requests got 429"), std::string::npos) << hints[0];
  EXPECT_NE(hints[0].find("lower --rpm (now 600/min)"), std::string::npos) << hints[0];
}

TEST(SystemicHints, AuthSaysCheckTheKey) {
  auto hints = SystemicHints(Repeat(5, {"auth", 401}), {});
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_NE(hints[0].find("401: check CNAKE_API_KEY"), std::string::npos) << hints[0];
}

TEST(SystemicHints, ConnectionRefusedNamesTheUrl) {
  auto hints = SystemicHints(Repeat(10, {"connection_refused", 0}), {"http://127.0.0.1:9/api", 0});
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_NE(hints[0].find("connection refused: is the API running at http://127.0.0.1:9/api?"),
            std::string::npos)
      << hints[0];
}

TEST(SystemicHints, HalfOrLessIsNotSystemic) {
  std::vector<RequestOutcome> v = Repeat(50, {"", 200});
  auto throttled = Repeat(50, {"http_429", 429});
  v.insert(v.end(), throttled.begin(), throttled.end());
  EXPECT_TRUE(SystemicHints(v, {}).empty());  // 50 of 100
  v.push_back({"http_429", 429});             // the oldest success leaves the window: 51 of 100
  auto hints = SystemicHints(v, {});
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_NE(hints[0].find("51 of the last 100 requests got 429"), std::string::npos) << hints[0];
}

TEST(SystemicHints, OnlyTheLastHundredCount) {
  std::vector<RequestOutcome> v = Repeat(500, {"http_503", 503});
  auto ok = Repeat(100, {"", 200});
  v.insert(v.end(), ok.begin(), ok.end());
  EXPECT_TRUE(SystemicHints(v, {}).empty());
}

TEST(SystemicHints, MixedFailuresOfDifferentKindsAreNotOneSystemicKind) {
  std::vector<RequestOutcome> v;
  for (int i = 0; i < 30; ++i) {
    v.push_back({"http_500", 500});
    v.push_back({"timeout", 0});
    v.push_back({"", 200});
  }
  EXPECT_TRUE(SystemicHints(v, {}).empty());
}

TEST(SystemicHints, TooFewFailuresAreNoPattern) {
  EXPECT_TRUE(SystemicHints(Repeat(2, {"http_429", 429}), {}).empty());
  EXPECT_TRUE(SystemicHints({}, {}).empty());
}

TEST(SystemicHints, ServerErrorsAndUnknownKinds) {
  auto h = SystemicHints(Repeat(10, {"http_502", 502}), {});
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].find("HTTP 502"), std::string::npos) << h[0];
  h = SystemicHints(Repeat(10, {"weird_thing", 0}), {});
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].find("weird_thing"), std::string::npos) << h[0];
}

TEST(SystemicHints, FromDatabaseUsesTheNewestRequestsAndTheBatchOptions) {
  auto db = db::Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto conn = db::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      conn->Execute("CREATE TABLE api_requests (batch_id VARCHAR, entry_id VARCHAR, attempt "
                    "INTEGER, endpoint VARCHAR, http_status INTEGER, latency_ms DOUBLE, "
                    "error_type VARCHAR, occurred_at TIMESTAMP);"
                    "CREATE TABLE batch_jobs (id VARCHAR, options JSON, started_at TIMESTAMP);"
                    "INSERT INTO batch_jobs VALUES ('b1', '{\"base_url\": \"http://h/api\", "
                    "\"requests_per_minute\": 120}', TIMESTAMP '2026-01-01 00:00:00');")
          .ok());
  // 200 old successes, then 60 refusals: systemic in the last 100.
  ASSERT_TRUE(conn->Execute("INSERT INTO api_requests "
                            "(batch_id, entry_id, attempt, endpoint, http_status, latency_ms, "
                            "error_type, occurred_at) SELECT 'b1', 'e', 1, 'submit', 200, 1, "
                            "NULL, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i) SECOND FROM "
                            "range(200) t(i);"
                            "INSERT INTO api_requests "
                            "(batch_id, entry_id, attempt, endpoint, http_status, latency_ms, "
                            "error_type, occurred_at) SELECT 'b1', 'e', 1, 'submit', NULL, 1, "
                            "'connection_refused', TIMESTAMP '2026-01-01 01:00:00' + INTERVAL (i) "
                            "SECOND FROM range(60) t(i);"
                            "INSERT INTO api_requests "
                            "(batch_id, entry_id, attempt, endpoint, http_status, latency_ms, "
                            "error_type, occurred_at) SELECT 'b2', 'e', 1, 'submit', 429, 1, "
                            "'http_429', TIMESTAMP '2026-01-01 02:00:00' FROM range(500) t(i);")
                  .ok());
  DuckDbQueries queries(*conn, TableNames{});
  auto hints = HintsFromStore(queries, "b1");
  ASSERT_TRUE(hints.ok()) << hints.status().ToString();
  ASSERT_EQ(hints->size(), 1u);
  EXPECT_NE((*hints)[0].find("60 of the last 100"), std::string::npos) << (*hints)[0];
  EXPECT_NE((*hints)[0].find("http://h/api"), std::string::npos) << (*hints)[0];
}

}  // namespace
}  // namespace cnake::report
