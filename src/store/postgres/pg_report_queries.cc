// The report rows (store/report_rows.h) over PostgreSQL: everything
// aggregates on the server; the failures and the detailed rows come in
// keyset pages, so the client's memory does not grow with the batch. The
// same figures as the DuckDB store (store/duckdb/report_queries.cc), in
// PostgreSQL's SQL.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "store/latency_stats.h"
#include "store/postgres/pg_queries.h"

namespace cnake {
namespace {

using pg::Args;

constexpr std::int64_t kDetailPageRows = 5000;
constexpr std::int64_t kFailurePageRows = 10000;

std::string Q(const std::string& name) { return pg::QuoteIdentifier(name); }

// The row (alias `a`) is in the scope bound to $1: the batch, or any batch.
std::string InScope(const std::string& a) {
  return fmt::format(
      "(CASE WHEN $1::text IS NULL THEN {0}.batch_id IS NOT NULL ELSE {0}.batch_id = $1::text "
      "END)",
      a);
}

// Epoch milliseconds of a timestamp, whole as DuckDB's epoch_ms.
std::string EpochMs(const std::string& expr) {
  return fmt::format("floor(extract(epoch FROM {}) * 1000)::double precision", expr);
}

std::string Literal(EntryState state) { return fmt::format("'{}'", EntryStateName(state)); }

std::optional<int> OptInt(const pg::QueryResult& r, int row, int col) {
  return r.IsNull(row, col) ? std::nullopt : std::optional<int>(r.GetInt64(row, col));
}
std::optional<double> OptDouble(const pg::QueryResult& r, int row, int col) {
  return r.IsNull(row, col) ? std::nullopt : std::optional<double>(r.GetDouble(row, col));
}

// Completions (the result's generated_at) and final failures (occurred_at)
// in scope, as (t: epoch ms, ok: 1 or 0).
std::string FinishEvents(const TableNames& tables) {
  return fmt::format(
      "SELECT {} AS t, 1 AS ok FROM {} p JOIN {} e ON p.cython_id = e.id WHERE {} AND "
      "e.processing_status = {} UNION ALL SELECT {}, 0 FROM processing_errors pe WHERE {}",
      EpochMs("p.generated_at"), Q(tables.results), Q(tables.entries), InScope("e"),
      Literal(EntryState::kCompleted), EpochMs("pe.occurred_at"), InScope("pe"));
}

}  // namespace

Result<std::vector<ReportBatchRow>> PostgresQueries::ReportBatches(const ReportScope& scope) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT id, status, stop_reason, {}, {}, coalesce({} - {}, 0) / "
                              "1000, total_entries, options::text, retry_after_wait_seconds, "
                              "breaker_open_seconds FROM batch_jobs WHERE $1::text IS NULL OR "
                              "id = $1 ORDER BY started_at, id",
                              pg::IsoUtc("started_at"), pg::IsoUtc("completed_at"),
                              EpochMs("coalesce(completed_at, updated_at, started_at)"),
                              EpochMs("started_at")),
                  Args(scope.batch_id)));
  std::vector<ReportBatchRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    ReportBatchRow b;
    b.id = std::string(r.Get(i, 0));
    b.status_text = r.GetOpt(i, 1);
    b.status = ParseBatchStatus(b.status_text.value_or(""));
    b.stop_reason = r.GetOpt(i, 2);
    b.started_at = r.GetOpt(i, 3);
    b.completed_at = r.GetOpt(i, 4);
    b.wall_time_seconds = std::max(0.0, r.GetDouble(i, 5));
    b.total_entries = r.GetInt64(i, 6);
    b.options_json = r.GetOpt(i, 7);
    b.retry_after_wait_seconds = OptDouble(r, i, 8);
    b.breaker_open_seconds = OptDouble(r, i, 9);
    out.push_back(std::move(b));
  }
  return out;
}

Result<StateCounts> PostgresQueries::EntryStates(const ReportScope& scope) {
  StateCounts counts;
  for (EntryState state : kAllEntryStates) counts.by_state[state] = 0;
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT coalesce(processing_status, {}), count(*) FROM {} e WHERE "
                              "{} GROUP BY 1",
                              Literal(EntryState::kPending), Q(tables_.entries), InScope("e")),
                  Args(scope.batch_id)));
  for (int i = 0; i < r.rows(); ++i) {
    if (auto state = ParseEntryState(r.Get(i, 0))) {
      counts.by_state[*state] += r.GetInt64(i, 1);
    } else {
      counts.unknown_states[std::string(r.Get(i, 0))] += r.GetInt64(i, 1);
    }
  }
  return counts;
}

Result<RequestTotals> PostgresQueries::CountRequests(const ReportScope& scope) {
  RequestTotals t;
  const pg::Params params = Args(scope.batch_id);
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult totals,
      store_.Read(fmt::format("SELECT count(*), count(error_type), count(*) FILTER (WHERE "
                              "http_status = 429) FROM api_requests a WHERE {}",
                              InScope("a")),
                  params));
  t.total = totals.GetInt64(0, 0);
  t.failed = totals.GetInt64(0, 1);
  t.http_429 = totals.GetInt64(0, 2);
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult endpoints,
      store_.Read(
          fmt::format("SELECT coalesce(endpoint, '?') AS ep, count(*) FROM api_requests a "
                      "WHERE {} GROUP BY 1 ORDER BY 2 DESC, coalesce(endpoint, '?') COLLATE \"C\"",
                      InScope("a")),
          params));
  for (int i = 0; i < endpoints.rows(); ++i) {
    t.by_endpoint.emplace_back(std::string(endpoints.Get(i, 0)), endpoints.GetInt64(i, 1));
  }
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult statuses,
      store_.Read(fmt::format("SELECT http_status, count(*) FROM api_requests a WHERE {} GROUP BY "
                              "1 ORDER BY 1 NULLS LAST",
                              InScope("a")),
                  params));
  for (int i = 0; i < statuses.rows(); ++i) {
    t.by_http_status.emplace_back(OptInt(statuses, i, 0), statuses.GetInt64(i, 1));
  }
  return t;
}

Result<LatencyRow> PostgresQueries::Latency(const ReportScope& scope,
                                            const std::vector<double>& bounds_ms) {
  if (scope.batch_id) {
    auto stored = StoredSummary(*scope.batch_id);
    if (stored && stored->bounds_ms == bounds_ms) return stored->latency;
  }
  LatencyRow row;
  row.histogram.assign(bounds_ms.size() + 1, 0);
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT count(latency_ms), avg(latency_ms), max(latency_ms) FROM "
                              "api_requests a WHERE {}",
                              InScope("a")),
                  Args(scope.batch_id)));
  row.count = r.GetInt64(0, 0);
  if (row.count == 0) return row;
  row.mean_ms = r.GetDouble(0, 1);
  row.max_ms = r.GetDouble(0, 2);
  std::string bucket = "CASE";
  for (std::size_t i = 0; i < bounds_ms.size(); ++i) {
    bucket += fmt::format(" WHEN latency_ms <= {} THEN {}", bounds_ms[i], i);
  }
  bucket += fmt::format(" ELSE {} END", bounds_ms.size());
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult h,
      store_.Read(fmt::format("SELECT {}, count(*) FROM api_requests a WHERE {} AND latency_ms "
                              "IS NOT NULL GROUP BY 1",
                              bucket, InScope("a")),
                  Args(scope.batch_id)));
  for (int i = 0; i < h.rows(); ++i) {
    row.histogram[static_cast<std::size_t>(h.GetInt64(i, 0))] = h.GetInt64(i, 1);
  }
  // The ranks the quantiles need (store/latency_stats.h), then their values
  // in one sorted pass on the server: percentile_disc((k + 0.5) / n) is the
  // k-th smallest (0-based), safe from rounding either way.
  std::map<std::int64_t, double> kth;
  auto record = [&](std::int64_t k) -> Result<double> { return kth[k] = 0; };
  for (double q : kLatencyQuantiles)
    CNAKE_RETURN_IF_ERROR(QuantileCont(row.count, q, record).status());
  std::vector<std::string> fractions;
  for (const auto& [k, v] : kth) {
    fractions.push_back(fmt::format("{}", (static_cast<double>(k) + 0.5) / row.count));
  }
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult v,
      store_.Read(fmt::format("SELECT unnest(v) FROM (SELECT percentile_disc($2::double "
                              "precision[]) WITHIN GROUP (ORDER BY latency_ms) AS v FROM "
                              "api_requests a WHERE {} AND latency_ms IS NOT NULL) s",
                              InScope("a")),
                  Args(scope.batch_id, fractions)));
  if (v.rows() != static_cast<int>(kth.size())) {
    return Status(StatusCode::kInternal, "latency ranks: the request log changed while reading");
  }
  int i = 0;
  for (auto& [k, value] : kth) value = v.GetDouble(i++, 0);
  auto lookup = [&](std::int64_t k) -> Result<double> { return kth.at(k); };
  std::optional<double>* quantiles[] = {&row.p50_ms, &row.p90_ms, &row.p99_ms};
  for (std::size_t q = 0; q < kLatencyQuantiles.size(); ++q) {
    CNAKE_ASSIGN_OR_RETURN(*quantiles[q], QuantileCont(row.count, kLatencyQuantiles[q], lookup));
  }
  return row;
}

Result<std::vector<AttemptsRow>> PostgresQueries::AttemptsPerEntry(const ReportScope& scope) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT coalesce(attempts, 0), count(*) FROM {} e WHERE {} AND "
                              "processing_status IN ({}, {}) GROUP BY 1 ORDER BY 1",
                              Q(tables_.entries), InScope("e"), Literal(EntryState::kCompleted),
                              Literal(EntryState::kFailed)),
                  Args(scope.batch_id)));
  std::vector<AttemptsRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.GetInt64(i, 0), r.GetInt64(i, 1)});
  return out;
}

Result<FinishSpan> PostgresQueries::Finishes(const ReportScope& scope) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT min(t), max(t) - min(t), {} FROM ({}) f WHERE t IS NOT NULL",
                              pg::IsoUtc("to_timestamp(min(t) / 1000)"), FinishEvents(tables_)),
                  Args(scope.batch_id)));
  FinishSpan span;
  if (r.rows() == 0 || r.IsNull(0, 0)) return span;
  span.start_epoch_ms = r.GetDouble(0, 0);
  span.span_seconds = r.GetDouble(0, 1) / 1000;
  span.start = r.GetOpt(0, 2);
  return span;
}

Result<std::vector<FinishBucketRow>> PostgresQueries::FinishesPerBucket(const ReportScope& scope,
                                                                        double start_epoch_ms,
                                                                        double width_seconds) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT floor((t - $2::double precision) / $3::double "
                              "precision)::bigint AS b, ok, count(*) FROM ({}) f WHERE t IS NOT "
                              "NULL GROUP BY 1, 2",
                              FinishEvents(tables_)),
                  Args(scope.batch_id, start_epoch_ms, width_seconds * 1000)));
  std::map<std::int64_t, FinishBucketRow> buckets;
  for (int i = 0; i < r.rows(); ++i) {
    FinishBucketRow& b = buckets[r.GetInt64(i, 0)];
    b.bucket = r.GetInt64(i, 0);
    (r.GetInt64(i, 1) ? b.completed : b.failed) += r.GetInt64(i, 2);
  }
  std::vector<FinishBucketRow> out;
  out.reserve(buckets.size());
  for (auto& [n, b] : buckets) out.push_back(b);
  return out;
}

// Keyset pages over ctid, the order stored (the rows are never updated).
Status PostgresQueries::ForEachFailure(const ReportScope& scope,
                                       const std::function<Status(const FailureRow&)>& row) {
  const std::string sql = fmt::format(
      "SELECT ctid::text, entry_id, coalesce(error_type, 'unknown'), http_status, "
      "coalesce(error_message, ''), coalesce({}, '') FROM processing_errors pe WHERE {} AND "
      "ctid > $2::tid ORDER BY ctid LIMIT {}",
      pg::IsoUtc("occurred_at"), InScope("pe"), kFailurePageRows);
  std::string after = "(0,0)";
  for (;;) {
    CNAKE_ASSIGN_OR_RETURN(pg::QueryResult r, store_.Read(sql, Args(scope.batch_id, after)));
    for (int i = 0; i < r.rows(); ++i) {
      after = std::string(r.Get(i, 0));
      CNAKE_RETURN_IF_ERROR(
          row({std::string(r.Get(i, 1)), std::string(r.Get(i, 2)), OptInt(r, i, 3),
               std::string(r.Get(i, 4)), std::string(r.Get(i, 5))}));
    }
    if (r.rows() < kFailurePageRows) return Status::Ok();
  }
}

Result<std::vector<RequestErrorRow>> PostgresQueries::RequestErrors(const ReportScope& scope) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(
          fmt::format(
              "SELECT coalesce(endpoint, '?') AS ep, error_type, http_status, "
              "count(*), {}, {} FROM api_requests a WHERE {} AND error_type IS "
              "NOT NULL GROUP BY 1, 2, 3 ORDER BY 4 DESC, coalesce(endpoint, '?') COLLATE \"C\", "
              "error_type COLLATE \"C\", 3",
              pg::IsoUtc("min(occurred_at)"), pg::IsoUtc("max(occurred_at)"), InScope("a")),
          Args(scope.batch_id)));
  std::vector<RequestErrorRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), OptInt(r, i, 2),
                   r.GetInt64(i, 3), r.GetOpt(i, 4), r.GetOpt(i, 5)});
  }
  return out;
}

namespace {

// One page of the detailed report: the page's entries, then their requests
// and final failures, joined. $2: the last id of the previous page, $3: true
// for the first page (an id may be "", so it has no lower bound).
std::string DetailPageSql(const TableNames& tables) {
  return fmt::format(
      "WITH page AS (SELECT id, batch_id, processing_status, attempts, last_error, request_id, "
      "python_id, processed_at FROM {entries} e WHERE {scope} AND ($3::boolean OR id COLLATE \"C\" "
      "> $2::text) "
      "ORDER BY id COLLATE \"C\" LIMIT {limit}), "
      "req AS (SELECT entry_id, count(*) AS n, sum(latency_ms) AS ms FROM api_requests a "
      "WHERE {scope_a} AND entry_id IN (SELECT id FROM page) GROUP BY entry_id), "
      "err AS (SELECT entry_id, (array_agg(error_type ORDER BY occurred_at DESC))[1] AS "
      "error_type, (array_agg(http_status ORDER BY occurred_at DESC))[1] AS http_status "
      "FROM processing_errors pe WHERE {scope_pe} AND entry_id IN (SELECT id FROM page) "
      "GROUP BY entry_id) "
      "SELECT page.id, coalesce(page.batch_id, ''), coalesce(page.processing_status, {pending}), "
      "coalesce(page.attempts, 0), "
      "CASE WHEN json_typeof(p.metadata -> 'latency_ms') = 'number' THEN "
      "(p.metadata ->> 'latency_ms')::double precision END, "
      "coalesce(req.n, 0), req.ms, "
      "CASE WHEN page.processing_status = {failed} THEN err.error_type END, "
      "CASE WHEN page.processing_status = {failed} THEN err.http_status END, "
      "CASE WHEN page.processing_status <> {completed} THEN page.last_error END, "
      "page.request_id, page.python_id, {processed_at} "
      "FROM page LEFT JOIN {results} p ON p.id = page.python_id "
      "LEFT JOIN req ON req.entry_id = page.id LEFT JOIN err ON err.entry_id = page.id "
      "ORDER BY page.id COLLATE \"C\"",
      fmt::arg("entries", Q(tables.entries)), fmt::arg("results", Q(tables.results)),
      fmt::arg("scope", InScope("e")), fmt::arg("scope_a", InScope("a")),
      fmt::arg("scope_pe", InScope("pe")), fmt::arg("limit", kDetailPageRows),
      fmt::arg("pending", Literal(EntryState::kPending)),
      fmt::arg("failed", Literal(EntryState::kFailed)),
      fmt::arg("completed", Literal(EntryState::kCompleted)),
      fmt::arg("processed_at", pg::IsoUtc("page.processed_at")));
}

EntryDetailRow ReadDetailRow(const pg::QueryResult& r, int i) {
  EntryDetailRow row;
  row.entry_id = std::string(r.Get(i, 0));
  row.batch_id = std::string(r.Get(i, 1));
  row.state = std::string(r.Get(i, 2));
  row.attempts = r.GetInt64(i, 3);
  row.latency_ms = OptDouble(r, i, 4);
  row.requests = r.GetInt64(i, 5);
  row.request_ms_total = OptDouble(r, i, 6);
  row.error_type = r.GetOpt(i, 7);
  row.http_status = OptInt(r, i, 8);
  row.error = r.GetOpt(i, 9);
  row.request_id = r.GetOpt(i, 10);
  row.python_id = r.GetOpt(i, 11);
  row.processed_at = r.GetOpt(i, 12);
  return row;
}

}  // namespace

Status PostgresQueries::ForEachEntryDetail(
    const ReportScope& scope, const std::function<Status(const EntryDetailRow&)>& row) {
  const std::string sql = DetailPageSql(tables_);
  std::string after;
  bool first = true;
  for (;;) {
    CNAKE_ASSIGN_OR_RETURN(pg::QueryResult r, store_.Read(sql, Args(scope.batch_id, after, first)));
    first = false;
    for (int i = 0; i < r.rows(); ++i) {
      EntryDetailRow detail = ReadDetailRow(r, i);
      after = detail.entry_id;
      CNAKE_RETURN_IF_ERROR(row(detail));
    }
    if (r.rows() < kDetailPageRows) return Status::Ok();
  }
}

}  // namespace cnake
