// DuckDbQueries::Latency finds each quantile by narrowing bounded scans
// (latency_queries.cc); it must give exactly what DuckDB's own quantile_cont
// gives, the definition it replaces, also for more rows than it sorts at once
// (65,536), with many duplicates and an outlier.
#include <gtest/gtest.h>

#include "store/duckdb/duckdb_store.h"
#include "store/latency_stats.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

class LatencyQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = DuckDbStore::Open({dir_.File("l.duckdb"), {}, {}});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    // b1: 70,000 requests, 40% of them exactly 10 ms, one of 1,000 s;
    // b2: ten; b3: one; none for b4.
    ASSERT_TRUE(store_->connection()
                    .Execute("INSERT INTO api_requests (batch_id, entry_id, latency_ms) "
                             "SELECT 'b1', 'e' || i, CASE WHEN i % 5 < 2 THEN 10.0 WHEN i = 69999 "
                             "THEN 1e6 ELSE 5 + (hash(i) % 100000) / 100.0 END FROM range(70000) "
                             "t(i); INSERT INTO api_requests (batch_id, entry_id, latency_ms) "
                             "SELECT 'b2', 'e', i * 1.5 FROM range(10) t(i); "
                             "INSERT INTO api_requests (batch_id, entry_id, latency_ms) VALUES "
                             "('b3', 'e', 42.25), ('b3', 'e', NULL)")
                    .ok());
  }

  // DuckDB's quantile_cont over the same rows.
  double Reference(const std::optional<std::string>& batch, double q) {
    auto r = store_->connection().QueryWith(
        "SELECT quantile_cont(latency_ms, CAST($2 AS DOUBLE)) FROM api_requests WHERE "
        "CAST($1 AS VARCHAR) IS NULL OR batch_id = $1",
        batch, q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto c = r->NextChunk();
    return c->GetDouble(0, 0);
  }

  testing::TempDir dir_;
  std::unique_ptr<DuckDbStore> store_;
};

TEST_F(LatencyQueriesTest, QuantilesEqualDuckDbsQuantileCont) {
  const std::vector<double> bounds = {5, 10, 100, 1000};
  for (const std::optional<std::string>& batch :
       {std::optional<std::string>("b1"), std::optional<std::string>("b2"),
        std::optional<std::string>("b3"), std::optional<std::string>()}) {
    SCOPED_TRACE(batch.value_or("all"));
    auto row = store_->queries().Latency(ReportScope{batch}, bounds);
    ASSERT_TRUE(row.ok()) << row.status().ToString();
    ASSERT_TRUE(row->p50_ms && row->p90_ms && row->p99_ms);
    EXPECT_EQ(*row->p50_ms, Reference(batch, 0.5));
    EXPECT_EQ(*row->p90_ms, Reference(batch, 0.9));
    EXPECT_EQ(*row->p99_ms, Reference(batch, 0.99));
    std::int64_t in_histogram = 0;
    for (std::int64_t n : row->histogram) in_histogram += n;
    EXPECT_EQ(in_histogram, row->count);
    ASSERT_EQ(row->histogram.size(), bounds.size() + 1);
  }
  auto b1 = store_->queries().Latency(ReportScope{"b1"}, bounds);
  EXPECT_EQ(b1->count, 70000);
  EXPECT_EQ(*b1->max_ms, 1e6);
  // Buckets hold (previous bound, bound]: 10 ms exactly is in (5, 10].
  auto r = store_->connection().Query(
      "SELECT count(*) FILTER (WHERE latency_ms > 5 AND latency_ms <= 10), count(*) FILTER "
      "(WHERE latency_ms > 1000) FROM api_requests WHERE batch_id = 'b1'");
  ASSERT_TRUE(r.ok());
  auto c = r->NextChunk();
  EXPECT_EQ(b1->histogram[1], c->GetInt64(0, 0));
  EXPECT_GT(b1->histogram[1], 28000);
  EXPECT_EQ(b1->histogram.back(), c->GetInt64(1, 0));
  auto b3 = store_->queries().Latency(ReportScope{"b3"}, bounds);
  EXPECT_EQ(b3->count, 1);  // the NULL latency is not a request with a latency
  EXPECT_EQ(*b3->p99_ms, 42.25);
  EXPECT_EQ(*b3->mean_ms, 42.25);
}

TEST_F(LatencyQueriesTest, NoRequestsGivesNoFigures) {
  auto row = store_->queries().Latency(ReportScope{"b4"}, {10});
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->count, 0);
  EXPECT_FALSE(row->p50_ms || row->mean_ms || row->max_ms);
  EXPECT_EQ(row->histogram, std::vector<std::int64_t>({0, 0}));
}

TEST(QuantileCont, InterpolatesBetweenTheClosestRanks) {
  const std::vector<double> v = {3, 7, 70, 700, 1e6};
  auto kth = [&](std::int64_t k) -> Result<double> { return v[static_cast<std::size_t>(k)]; };
  EXPECT_EQ(*QuantileCont(5, 0.5, kth), 70);
  EXPECT_DOUBLE_EQ(*QuantileCont(5, 0.9, kth), 700 + 0.6 * (1e6 - 700));
  EXPECT_EQ(*QuantileCont(5, 0, kth), 3);
  EXPECT_EQ(*QuantileCont(5, 1, kth), 1e6);
  EXPECT_FALSE(QuantileCont(0, 0.5, kth).ok());
  EXPECT_EQ(HistogramBucket({5, 10}, 5), 0u);
  EXPECT_EQ(HistogramBucket({5, 10}, 5.001), 1u);
  EXPECT_EQ(HistogramBucket({5, 10}, 11), 2u);
}

}  // namespace
}  // namespace cnake
