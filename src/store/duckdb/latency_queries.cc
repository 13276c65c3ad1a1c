// The latency figures of a report scope over DuckDB (store/latency_stats.h
// defines them). DuckDB's quantile_cont would compute the quantiles in one
// statement, but it holds every latency in memory outside memory_limit: over
// 3,000,000 requests (a 1,000,000-entry batch) its peak RSS was 163 MiB above
// the process's, which the run summary of such a batch cannot afford
// (docs/reliability.md, promise 6). So the k-th smallest latency is found by
// narrowing: count the values per part of the candidate range, keep the part
// holding rank k, until few enough values remain to read sorted (at most
// kSortRows per rank). Every statement aggregates into at most kParts groups.
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

// The k-th smallest latencies of a scope for several k at once, so that
// every quantile shares the scans: one narrowing pass for all ranks, then
// one read of the candidate values of all of them (status reads three
// quantiles, six ranks, of up to 3,000,000 requests).
class KthLatency {
 public:
  KthLatency(db::Connection& conn, const ReportScope& scope, Range all)
      : conn_(conn), scope_(scope), all_(all) {}

  // Finds every rank of `ks` (each < all.count).
  Status Resolve(const std::vector<std::int64_t>& ks) {
    std::vector<Pending> todo;
    for (std::int64_t k : ks) todo.push_back({k, all_, k});
    for (int round = 0; round < kMaxRounds; ++round) {
      std::vector<Pending*> wide;
      for (Pending& p : todo) {
        if (p.range.lo != p.range.hi && p.range.count > kSortRows) wide.push_back(&p);
      }
      if (wide.empty()) return ReadCandidates(todo);
      CNAKE_RETURN_IF_ERROR(Narrow(wide));
    }
    return Status(StatusCode::kInternal, "latency quantile did not converge");
  }

  Result<double> operator()(std::int64_t k) const {
    auto it = found_.find(k);
    if (it == found_.end()) return Status(StatusCode::kInternal, "latency rank not resolved");
    return it->second;
  }

 private:
  struct Pending {
    std::int64_t k;
    Range range;
    std::int64_t rank;  // k's rank among the values in range
  };

  // Reads the values of every distinct candidate range in one statement and
  // takes each rank from its range's sorted values.
  Status ReadCandidates(const std::vector<Pending>& todo) {
    std::map<std::pair<double, double>, std::vector<double>> ranges;
    for (const Pending& p : todo) {
      if (p.range.lo == p.range.hi) {
        found_[p.k] = p.range.lo;
      } else {
        ranges[{p.range.lo, p.range.hi}];
      }
    }
    if (ranges.empty()) return Status::Ok();
    std::string any;
    for (const auto& [bounds, values] : ranges) {
      any += fmt::format("{}latency_ms BETWEEN {} AND {}", any.empty() ? "" : " OR ",
                         DoubleSql(bounds.first), DoubleSql(bounds.second));
    }
    CNAKE_RETURN_IF_ERROR(ForEachRow(
        conn_,
        fmt::format("SELECT latency_ms FROM api_requests a WHERE {} AND ({}) ORDER BY latency_ms",
                    InScope("a"), any),
        scope_, [&](const db::DataChunk& c, std::size_t r) {
          const double v = c.GetDouble(0, r);
          for (auto& [bounds, values] : ranges) {
            if (v >= bounds.first && v <= bounds.second) values.push_back(v);
          }
        }));
    for (const Pending& p : todo) {
      if (p.range.lo == p.range.hi) continue;
      const std::vector<double>& values = ranges[{p.range.lo, p.range.hi}];
      if (p.rank < 0 || p.rank >= static_cast<std::int64_t>(values.size())) {
        return Status(StatusCode::kInternal, "latency rank out of range");
      }
      found_[p.k] = values[static_cast<std::size_t>(p.rank)];
    }
    return Status::Ok();
  }

  // Replaces each pending range by its part holding the rank, and the rank
  // by its rank there. Ranks that share a range share the statement.
  Status Narrow(const std::vector<Pending*>& wide) {
    std::map<std::pair<double, double>, std::vector<Pending*>> by_range;
    for (Pending* p : wide) by_range[{p->range.lo, p->range.hi}].push_back(p);
    for (auto& [bounds, pending] : by_range) {
      std::vector<Range> parts;
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
            parts.push_back({c.GetDouble(2, r), c.GetDouble(3, r), c.GetInt64(1, r)});
          },
          bounds.first, bounds.second));
      for (Pending* p : pending) {
        std::int64_t before = 0;
        bool placed = false;
        for (const Range& part : parts) {
          if (p->rank < before + part.count) {
            p->rank -= before;
            p->range = part;
            placed = true;
            break;
          }
          before += part.count;
        }
        if (!placed) return Status(StatusCode::kInternal, "latency rank out of range");
      }
    }
    return Status::Ok();
  }

  // A double as a SQL literal that reads back as the same double.
  static std::string DoubleSql(double v) { return fmt::format("CAST('{}' AS DOUBLE)", v); }

  db::Connection& conn_;
  const ReportScope& scope_;
  const Range all_;
  std::map<std::int64_t, double> found_;
};

// CASE expression numbering the histogram bucket of latency_ms.
std::string BucketSql(const std::vector<double>& bounds) {
  if (bounds.empty()) return "0";  // one bucket: CASE needs a WHEN
  std::string sql = "CASE";
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    sql += fmt::format(" WHEN latency_ms <= {} THEN {}", bounds[i], i);
  }
  return sql + fmt::format(" ELSE {} END", bounds.size());
}

}  // namespace

Result<LatencyRow> DuckDbQueries::Latency(const ReportScope& scope,
                                          const std::vector<double>& bounds_ms) {
  if (scope.batch_id) {
    auto stored = StoredSummary(*scope.batch_id);
    if (stored && stored->bounds_ms == bounds_ms) return stored->latency;
  }
  LatencyRow row;
  row.histogram.assign(bounds_ms.size() + 1, 0);
  Range all;
  // One scan: the histogram's buckets and, as the empty grouping set, the
  // totals over all of them.
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT GROUPING(bucket) = 1, CAST(bucket AS BIGINT), count(latency_ms), "
                  "avg(latency_ms), CAST(min(latency_ms) AS DOUBLE), "
                  "CAST(max(latency_ms) AS DOUBLE) FROM (SELECT {} AS bucket, latency_ms FROM "
                  "api_requests a WHERE {} AND latency_ms IS NOT NULL) GROUP BY GROUPING SETS "
                  "((bucket), ())",
                  BucketSql(bounds_ms), InScope("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        if (!c.GetBool(0, r)) {
          row.histogram[static_cast<std::size_t>(c.GetInt64(1, r))] = c.GetInt64(2, r);
          return;
        }
        row.count = c.GetInt64(2, r);
        row.mean_ms = OptDouble(c, 3, r);
        row.max_ms = OptDouble(c, 5, r);
        all = {OptDouble(c, 4, r).value_or(0), row.max_ms.value_or(0), row.count};
      }));
  if (row.count == 0) {
    row.histogram.assign(bounds_ms.size() + 1, 0);
    return row;
  }
  // The ranks the quantiles need depend only on the count: collect them,
  // resolve them together, then compute.
  std::vector<std::int64_t> ranks;
  for (double q : kLatencyQuantiles) {
    CNAKE_RETURN_IF_ERROR(QuantileCont(row.count, q, [&](std::int64_t k) -> Result<double> {
                            ranks.push_back(k);
                            return 0.0;
                          }).status());
  }
  KthLatency kth(conn_, scope, all);
  CNAKE_RETURN_IF_ERROR(kth.Resolve(ranks));
  std::optional<double>* quantiles[] = {&row.p50_ms, &row.p90_ms, &row.p99_ms};
  for (std::size_t i = 0; i < kLatencyQuantiles.size(); ++i) {
    CNAKE_ASSIGN_OR_RETURN(*quantiles[i],
                           QuantileCont(row.count, kLatencyQuantiles[i], std::cref(kth)));
  }
  return row;
}

}  // namespace cnake
