#include "report/summary_report.h"

#include <fmt/format.h>

#include <cmath>

#include "engine/snapshot.h"
#include "report/report_sql.h"
#include "store/states.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

ordered_json OptString(const db::DataChunk& c, std::size_t col, std::size_t row) {
  return c.IsNull(col, row) ? ordered_json() : ordered_json(std::string(c.GetString(col, row)));
}
ordered_json OptDouble(const db::DataChunk& c, std::size_t col, std::size_t row) {
  return c.IsNull(col, row) ? ordered_json() : ordered_json(c.GetDouble(col, row));
}

// Batches in scope; the sum of their wall times.
// The batches, and the waits summed over them (null where no batch recorded
// one; `reason` says which batches did not).
Result<double> AddBatches(db::Connection& conn, const Scope& scope, ordered_json& doc,
                          ordered_json& waits) {
  ordered_json batches = ordered_json::array();
  double wall = 0;
  std::optional<double> retry_after, breaker;
  int unrecorded = 0;
  auto add = [](std::optional<double>& sum, const db::DataChunk& c, std::size_t col,
                std::size_t r) {
    if (c.IsNull(col, r)) return ordered_json();
    const double v = c.GetDouble(col, r);
    sum = sum.value_or(0) + v;
    return ordered_json(v);
  };
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT id, status, stop_reason, {}, {}, "
                  "CAST(coalesce(epoch_ms(coalesce(completed_at, updated_at, started_at)) - "
                  "epoch_ms(started_at), 0) AS DOUBLE) / 1000, CAST(total_entries AS BIGINT), "
                  "CAST(options AS VARCHAR), CAST(retry_after_wait_seconds AS DOUBLE), "
                  "CAST(breaker_open_seconds AS DOUBLE) FROM batch_jobs WHERE "
                  "CAST($1 AS VARCHAR) IS NULL "
                  "OR id = $1 ORDER BY started_at, id",
                  IsoTime("started_at"), IsoTime("completed_at")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        const double seconds = std::max(0.0, c.GetDouble(5, r));
        wall += seconds;
        ordered_json options;
        if (!c.IsNull(7, r)) {
          options = ordered_json::parse(c.GetString(7, r), nullptr, false);
          if (options.is_discarded()) options = nullptr;
        }
        batches.push_back({{"id", std::string(c.GetString(0, r))},
                           {"status", OptString(c, 1, r)},
                           {"stop_reason", OptString(c, 2, r)},
                           {"started_at", OptString(c, 3, r)},
                           {"completed_at", OptString(c, 4, r)},
                           {"wall_time_seconds", seconds},
                           {"total_entries", c.GetInt64(6, r)},
                           {"options", options},
                           {"retry_after_wait_seconds", add(retry_after, c, 8, r)},
                           {"breaker_open_seconds", add(breaker, c, 9, r)}});
        unrecorded += c.IsNull(8, r) ? 1 : 0;
      }));
  if (scope.batch_id && batches.empty()) {
    return NotFound("no batch " + *scope.batch_id + "; `stats` lists the batches");
  }
  waits = {{"rate_limit_seconds", retry_after ? ordered_json(*retry_after) : ordered_json()},
           {"circuit_breaker_open_seconds", breaker ? ordered_json(*breaker) : ordered_json()},
           {"reason", unrecorded == 0 ? ordered_json()
                                      : ordered_json(fmt::format(kWaitsUnrecorded, unrecorded,
                                                                 batches.size()))}};
  doc["batches"] = std::move(batches);
  return wall;
}

// Entry counts per state; returns finished (completed + failed).
Result<std::int64_t> AddEntries(db::Connection& conn, const Scope& scope, ordered_json& doc) {
  ordered_json by_state = ordered_json::object();
  for (EntryState state : kAllEntryStates) by_state[std::string(EntryStateName(state))] = 0;
  std::int64_t total = 0;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT coalesce(processing_status, 'pending'), count(*) FROM {} e WHERE {} "
                  "GROUP BY 1 ORDER BY 1",
                  EntriesTable(scope), ScopeCondition("e")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        by_state[std::string(c.GetString(0, r))] = c.GetInt64(1, r);
        total += c.GetInt64(1, r);
      }));
  const std::int64_t completed = by_state["completed"], failed = by_state["failed"];
  doc["entries"] = {{"total", total}, {"finished", completed + failed}, {"by_state", by_state}};
  doc["success_rate"] = completed + failed > 0
                            ? ordered_json(static_cast<double>(completed) / (completed + failed))
                            : ordered_json();
  return completed + failed;
}

Status AddRequests(db::Connection& conn, const Scope& scope, ordered_json& doc) {
  ordered_json requests = {{"total", 0}, {"failed", 0}, {"http_429", 0}};
  ordered_json by_endpoint = ordered_json::object(), by_status = ordered_json::object();
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT count(*), count(error_type), count(*) FILTER (WHERE http_status = 429) "
                  "FROM api_requests a WHERE {}",
                  ScopeCondition("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        requests = {{"total", c.GetInt64(0, r)},
                    {"failed", c.GetInt64(1, r)},
                    {"http_429", c.GetInt64(2, r)}};
      }));
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT coalesce(endpoint, '?'), count(*) FROM api_requests a WHERE {} "
                  "GROUP BY 1 ORDER BY 2 DESC, 1",
                  ScopeCondition("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        by_endpoint[std::string(c.GetString(0, r))] = c.GetInt64(1, r);
      }));
  CNAKE_RETURN_IF_ERROR(
      ForEachRow(conn,
                 fmt::format("SELECT coalesce(CAST(http_status AS VARCHAR), 'none'), count(*) FROM "
                             "api_requests a WHERE {} GROUP BY 1 ORDER BY 1",
                             ScopeCondition("a")),
                 scope, [&](const db::DataChunk& c, std::size_t r) {
                   by_status[std::string(c.GetString(0, r))] = c.GetInt64(1, r);
                 }));
  requests["by_endpoint"] = std::move(by_endpoint);
  requests["by_http_status"] = std::move(by_status);
  doc["requests"] = std::move(requests);
  return Status::Ok();
}

Status AddLatency(db::Connection& conn, const Scope& scope, ordered_json& doc) {
  ordered_json latency;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT count(latency_ms), avg(latency_ms), quantile_cont(latency_ms, 0.5), "
                  "quantile_cont(latency_ms, 0.9), quantile_cont(latency_ms, 0.99), "
                  "CAST(max(latency_ms) AS DOUBLE) FROM api_requests a WHERE {}",
                  ScopeCondition("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        latency = {{"count", c.GetInt64(0, r)}, {"mean", OptDouble(c, 1, r)},
                   {"p50", OptDouble(c, 2, r)}, {"p90", OptDouble(c, 3, r)},
                   {"p99", OptDouble(c, 4, r)}, {"max", OptDouble(c, 5, r)}};
      }));
  doc["latency_ms"] = std::move(latency);
  // Histogram with the engine's bucket bounds (the same as /metrics), counts
  // per bucket (not cumulative): bucket i holds bound[i-1] < x <= bound[i].
  const auto& bounds = engine::LatencyHistogram::kBoundsMs;
  std::string bucket = "CASE";
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    bucket += fmt::format(" WHEN latency_ms <= {:g} THEN {}", bounds[i], i);
  }
  bucket += fmt::format(" ELSE {} END", bounds.size());
  std::vector<std::int64_t> counts(bounds.size() + 1, 0);
  CNAKE_RETURN_IF_ERROR(
      ForEachRow(conn,
                 fmt::format("SELECT CAST({} AS BIGINT), count(*) FROM api_requests a WHERE {} AND "
                             "latency_ms IS NOT NULL GROUP BY 1",
                             bucket, ScopeCondition("a")),
                 scope, [&](const db::DataChunk& c, std::size_t r) {
                   counts[static_cast<std::size_t>(c.GetInt64(0, r))] = c.GetInt64(1, r);
                 }));
  ordered_json histogram = ordered_json::array();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    histogram.push_back({{"le", i < bounds.size() ? ordered_json(bounds[i]) : ordered_json()},
                         {"count", counts[i]}});
  }
  doc["latency_histogram_ms"] = std::move(histogram);
  return Status::Ok();
}

Status AddAttempts(db::Connection& conn, const Scope& scope, ordered_json& doc) {
  ordered_json distribution = ordered_json::array();
  std::int64_t entries = 0, sum = 0, max = 0;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT CAST(coalesce(attempts, 0) AS BIGINT), count(*) FROM {} e WHERE {} AND "
                  "processing_status IN ('completed', 'failed') GROUP BY 1 ORDER BY 1",
                  EntriesTable(scope), ScopeCondition("e")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        const std::int64_t attempts = c.GetInt64(0, r), n = c.GetInt64(1, r);
        distribution.push_back({{"attempts", attempts}, {"entries", n}});
        entries += n;
        sum += attempts * n;
        max = std::max(max, attempts);
      }));
  doc["attempts"] = {
      {"mean", entries ? ordered_json(static_cast<double>(sum) / entries) : ordered_json()},
      {"max", entries ? ordered_json(max) : ordered_json()},
      {"distribution", std::move(distribution)}};
  return Status::Ok();
}

// A bucket width that gives at most kMaxBuckets buckets over `span` seconds.
double BucketSeconds(double span) {
  constexpr double kMaxBuckets = 60;
  constexpr double kWidths[] = {0.1, 0.25, 0.5, 1,   2,    5,    10,   15,    30,    60,
                                120, 300,  600, 900, 1800, 3600, 7200, 21600, 43200, 86400};
  for (double w : kWidths) {
    if (span / w <= kMaxBuckets) return w;
  }
  return std::ceil(span / kMaxBuckets / 86400) * 86400;
}

// Completions (results' generated_at) and failures (processing_errors'
// occurred_at) per time bucket.
Status AddTimeline(db::Connection& conn, const Scope& scope, ordered_json& doc) {
  const std::string events = fmt::format(
      "SELECT epoch_ms(p.generated_at) AS t, 1 AS ok FROM {} p JOIN {} e ON p.cython_id = e.id "
      "WHERE {} AND e.processing_status = 'completed' "
      "UNION ALL SELECT epoch_ms(pe.occurred_at), 0 FROM processing_errors pe WHERE {}",
      ResultsTable(scope), EntriesTable(scope), ScopeCondition("e"), ScopeCondition("pe"));
  ordered_json start;
  double t0 = 0, span = 0;
  CNAKE_RETURN_IF_ERROR(
      ForEachRow(conn,
                 fmt::format("SELECT CAST(min(t) AS DOUBLE), CAST(max(t) - min(t) AS DOUBLE), "
                             "{} FROM ({}) WHERE t IS NOT NULL",
                             IsoTime("make_timestamp(CAST(min(t) AS BIGINT) * 1000)"), events),
                 scope, [&](const db::DataChunk& c, std::size_t r) {
                   if (c.IsNull(0, r)) return;
                   t0 = c.GetDouble(0, r);
                   span = c.GetDouble(1, r) / 1000;
                   start = std::string(c.GetString(2, r));
                 }));
  const double width = BucketSeconds(span);
  const std::size_t n = start.is_null() ? 0 : static_cast<std::size_t>(span / width) + 1;
  std::vector<std::int64_t> ok(n, 0), bad(n, 0);
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT CAST(floor((t - {:.0f}) / {}) AS BIGINT) AS b, ok, count(*) FROM ({}) "
                  "WHERE t IS NOT NULL GROUP BY 1, 2",
                  t0, width * 1000, events),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        const auto b = static_cast<std::size_t>(std::max<std::int64_t>(0, c.GetInt64(0, r)));
        if (b >= n) return;
        (c.GetInt32(1, r) ? ok : bad)[b] += c.GetInt64(2, r);
      }));
  ordered_json buckets = ordered_json::array();
  for (std::size_t i = 0; i < n; ++i) {
    buckets.push_back({{"offset_seconds", i * width}, {"completed", ok[i]}, {"failed", bad[i]}});
  }
  doc["timeline"] = {{"start", start}, {"bucket_seconds", width}, {"buckets", std::move(buckets)}};
  return Status::Ok();
}

}  // namespace

Result<ordered_json> BuildSummary(db::Connection& conn, const Scope& scope,
                                  const std::string& generated_at) {
  ordered_json doc = {
      {"report_type", "summary"},
      {"schema_version", kReportSchemaVersion},
      {"generated_at", generated_at},
      {"batch_id", scope.batch_id ? ordered_json(*scope.batch_id) : ordered_json()}};
  ordered_json waits;
  CNAKE_ASSIGN_OR_RETURN(double wall, AddBatches(conn, scope, doc, waits));
  CNAKE_ASSIGN_OR_RETURN(std::int64_t finished, AddEntries(conn, scope, doc));
  doc["wall_time_seconds"] = wall;
  doc["throughput_entries_per_second"] = wall > 0 ? ordered_json(finished / wall) : ordered_json();
  CNAKE_RETURN_IF_ERROR(AddRequests(conn, scope, doc));
  CNAKE_RETURN_IF_ERROR(AddLatency(conn, scope, doc));
  CNAKE_RETURN_IF_ERROR(AddAttempts(conn, scope, doc));
  doc["waits"] = std::move(waits);
  CNAKE_RETURN_IF_ERROR(AddTimeline(conn, scope, doc));
  return doc;
}

}  // namespace cnake::report
