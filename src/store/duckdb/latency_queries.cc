// The latency figures of a report scope over DuckDB (store/latency_stats.h
// defines them). DuckDB's quantile_cont would compute the quantiles in one
// statement, but it holds every latency in memory outside memory_limit: over
// 3,000,000 requests (a 1,000,000-entry batch) its peak RSS was 163 MiB above
// the process's, which the run summary of such a batch cannot afford
// (docs/reliability.md, promise 6). So the k-th smallest latency is found by
// narrowing: count the values per part of the candidate range, keep the part
// holding rank k, until few enough values remain to sort (a LIMIT/OFFSET over
// at most kSortRows). Every statement aggregates into at most kParts groups.
#include <fmt/format.h>

#include <functional>
#include <map>

#include "store/duckdb/queries.h"
#include "store/duckdb/report_sql.h"
#include "store/latency_stats.h"

namespace cnake {
namespace {

using namespace report_sql;

constexpr std::int64_t kSortRows = 65536;
constexpr std::int64_t kParts = 1024;
constexpr int kMaxRounds = 64;  // each round narrows the range by kParts

// The candidate values of a rank: those in [lo, hi], `count` of them.
struct Range {
  double lo = 0, hi = 0;
  std::int64_t count = 0;
};

class KthLatency {
 public:
  KthLatency(db::Connection& conn, const ReportScope& scope, Range all)
      : conn_(conn), scope_(scope), all_(all) {}

  Result<double> operator()(std::int64_t k) {
    if (auto it = found_.find(k); it != found_.end()) return it->second;
    Range range = all_;
    std::int64_t rank = k;
    for (int round = 0; round < kMaxRounds; ++round) {
      if (range.lo == range.hi) return Keep(k, range.lo);
      if (range.count <= kSortRows) {
        CNAKE_ASSIGN_OR_RETURN(double v, SortedAt(range, rank));
        return Keep(k, v);
      }
      CNAKE_RETURN_IF_ERROR(Narrow(range, rank));
    }
    return Status(StatusCode::kInternal, "latency quantile did not converge");
  }

 private:
  double Keep(std::int64_t k, double v) { return found_[k] = v; }

  Result<double> SortedAt(const Range& range, std::int64_t rank) {
    std::optional<double> v;
    CNAKE_RETURN_IF_ERROR(ForEachRow(
        conn_,
        fmt::format("SELECT latency_ms FROM api_requests a WHERE {} AND latency_ms BETWEEN "
                    "CAST($2 AS DOUBLE) AND CAST($3 AS DOUBLE) ORDER BY latency_ms LIMIT 1 "
                    "OFFSET $4",
                    InScope("a")),
        scope_, [&](const db::DataChunk& c, std::size_t r) { v = c.GetDouble(0, r); }, range.lo,
        range.hi, rank));
    if (!v) return Status(StatusCode::kInternal, "latency rank out of range");
    return *v;
  }

  // Replaces `range` by the part holding `rank`, and `rank` by its rank there.
  Status Narrow(Range& range, std::int64_t& rank) {
    std::optional<Range> next;
    std::int64_t before = 0;
    CNAKE_RETURN_IF_ERROR(ForEachRow(
        conn_,
        fmt::format("SELECT least(CAST(floor((latency_ms - CAST($2 AS DOUBLE)) / (CAST($3 AS "
                    "DOUBLE) - CAST($2 AS DOUBLE)) * {0}) AS BIGINT), {0} - 1) AS part, "
                    "count(*), min(latency_ms), max(latency_ms) FROM api_requests a WHERE {1} "
                    "AND latency_ms BETWEEN CAST($2 AS DOUBLE) AND CAST($3 AS DOUBLE) "
                    "GROUP BY 1 ORDER BY 1",
                    kParts, InScope("a")),
        scope_,
        [&](const db::DataChunk& c, std::size_t r) {
          const std::int64_t n = c.GetInt64(1, r);
          if (next || rank >= before + n) {
            if (!next) before += n;
            return;
          }
          next = Range{c.GetDouble(2, r), c.GetDouble(3, r), n};
        },
        range.lo, range.hi));
    if (!next) return Status(StatusCode::kInternal, "latency rank out of range");
    rank -= before;
    range = *next;
    return Status::Ok();
  }

  db::Connection& conn_;
  const ReportScope& scope_;
  const Range all_;
  std::map<std::int64_t, double> found_;
};

// CASE expression numbering the histogram bucket of latency_ms.
std::string BucketSql(const std::vector<double>& bounds) {
  std::string sql = "CASE";
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    sql += fmt::format(" WHEN latency_ms <= {} THEN {}", bounds[i], i);
  }
  return sql + fmt::format(" ELSE {} END", bounds.size());
}

}  // namespace

Result<LatencyRow> DuckDbQueries::Latency(const ReportScope& scope,
                                          const std::vector<double>& bounds_ms) {
  LatencyRow row;
  row.histogram.assign(bounds_ms.size() + 1, 0);
  Range all;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT count(latency_ms), avg(latency_ms), CAST(min(latency_ms) AS DOUBLE), "
                  "CAST(max(latency_ms) AS DOUBLE) FROM api_requests a WHERE {}",
                  InScope("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        row.count = c.GetInt64(0, r);
        row.mean_ms = OptDouble(c, 1, r);
        row.max_ms = OptDouble(c, 3, r);
        all = {OptDouble(c, 2, r).value_or(0), row.max_ms.value_or(0), row.count};
      }));
  if (row.count == 0) return row;
  CNAKE_RETURN_IF_ERROR(
      ForEachRow(conn_,
                 fmt::format("SELECT CAST({} AS BIGINT), count(*) FROM api_requests a WHERE {} AND "
                             "latency_ms IS NOT NULL GROUP BY 1",
                             BucketSql(bounds_ms), InScope("a")),
                 scope, [&](const db::DataChunk& c, std::size_t r) {
                   row.histogram[static_cast<std::size_t>(c.GetInt64(0, r))] = c.GetInt64(1, r);
                 }));
  KthLatency kth(conn_, scope, all);
  std::optional<double>* quantiles[] = {&row.p50_ms, &row.p90_ms, &row.p99_ms};
  for (std::size_t i = 0; i < kLatencyQuantiles.size(); ++i) {
    CNAKE_ASSIGN_OR_RETURN(*quantiles[i],
                           QuantileCont(row.count, kLatencyQuantiles[i], std::ref(kth)));
  }
  return row;
}

}  // namespace cnake
