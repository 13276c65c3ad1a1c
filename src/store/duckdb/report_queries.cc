// The report rows (store/report_rows.h) over DuckDB. Everything aggregates in
// SQL; what comes back is small, except the failures and the detailed rows,
// which are read in keyset pages so that memory does not grow with the batch.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "store/duckdb/queries.h"
#include "store/duckdb/report_sql.h"
#include "util/time_format.h"

namespace cnake {
namespace report_sql {

std::string InScope(std::string_view alias) {
  const std::string col = alias.empty() ? "batch_id" : fmt::format("{}.batch_id", alias);
  return fmt::format(
      "(CASE WHEN CAST($1 AS VARCHAR) IS NULL THEN {0} IS NOT NULL ELSE {0} = "
      "CAST($1 AS VARCHAR) END)",
      col);
}

std::string IsoTime(std::string_view expr) {
  return fmt::format("strftime(CAST({} AS TIMESTAMP), '{}')", expr, kIsoUtcStrftime);
}

std::string StateLiteral(EntryState state) { return fmt::format("'{}'", EntryStateName(state)); }

}  // namespace report_sql

namespace {

using namespace report_sql;

// Detailed rows per page, and failures per page.
constexpr std::int64_t kDetailPageRows = 5000;
constexpr std::int64_t kFailurePageRows = 10000;

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

// Completions (the result's generated_at) and final failures (occurred_at)
// in scope, as (t: epoch ms, ok: 1 or 0).
std::string FinishEvents(const TableNames& tables) {
  return fmt::format(
      "SELECT epoch_ms(p.generated_at) AS t, 1 AS ok FROM {} p JOIN {} e ON p.cython_id = e.id "
      "WHERE {} AND e.processing_status = {} "
      "UNION ALL SELECT epoch_ms(pe.occurred_at), 0 FROM processing_errors pe WHERE {}",
      Q(tables.results), Q(tables.entries), InScope("e"), StateLiteral(EntryState::kCompleted),
      InScope("pe"));
}

}  // namespace

Result<std::vector<ReportBatchRow>> DuckDbQueries::ReportBatches(const ReportScope& scope) {
  std::vector<ReportBatchRow> out;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT id, status, stop_reason, {}, {}, "
                  "CAST(coalesce(epoch_ms(coalesce(completed_at, updated_at, started_at)) - "
                  "epoch_ms(started_at), 0) AS DOUBLE) / 1000, CAST(total_entries AS BIGINT), "
                  "CAST(options AS VARCHAR), CAST(retry_after_wait_seconds AS DOUBLE), "
                  "CAST(breaker_open_seconds AS DOUBLE) FROM batch_jobs WHERE "
                  "CAST($1 AS VARCHAR) IS NULL OR id = $1 ORDER BY started_at, id",
                  IsoTime("started_at"), IsoTime("completed_at")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        ReportBatchRow b;
        b.id = std::string(c.GetString(0, r));
        b.status_text = OptString(c, 1, r);
        b.status = ParseBatchStatus(b.status_text.value_or(""));
        b.stop_reason = OptString(c, 2, r);
        b.started_at = OptString(c, 3, r);
        b.completed_at = OptString(c, 4, r);
        b.wall_time_seconds = std::max(0.0, c.GetDouble(5, r));
        b.total_entries = c.GetInt64(6, r);
        b.options_json = OptString(c, 7, r);
        b.retry_after_wait_seconds = OptDouble(c, 8, r);
        b.breaker_open_seconds = OptDouble(c, 9, r);
        out.push_back(std::move(b));
      }));
  return out;
}

Result<StateCounts> DuckDbQueries::EntryStates(const ReportScope& scope) {
  StateCounts counts;
  for (EntryState state : kAllEntryStates) counts.by_state[state] = 0;
  CNAKE_RETURN_IF_ERROR(
      ForEachRow(conn_,
                 fmt::format("SELECT coalesce(processing_status, {}), count(*) FROM {} e WHERE {} "
                             "GROUP BY ALL",
                             StateLiteral(EntryState::kPending), Q(tables_.entries), InScope("e")),
                 scope, [&](const db::DataChunk& c, std::size_t r) {
                   const std::string_view text = c.GetString(0, r);
                   if (auto state = ParseEntryState(text)) {
                     counts.by_state[*state] += c.GetInt64(1, r);
                   } else {
                     counts.unknown_states[std::string(text)] += c.GetInt64(1, r);
                   }
                 }));
  return counts;
}

Result<RequestTotals> DuckDbQueries::CountRequests(const ReportScope& scope) {
  RequestTotals t;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT count(*), count(error_type), count(*) FILTER (WHERE http_status = 429) "
                  "FROM api_requests a WHERE {}",
                  InScope("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        t.total = c.GetInt64(0, r);
        t.failed = c.GetInt64(1, r);
        t.http_429 = c.GetInt64(2, r);
      }));
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT coalesce(endpoint, '?'), count(*) FROM api_requests a WHERE {} "
                  "GROUP BY 1 ORDER BY 2 DESC, 1",
                  InScope("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        t.by_endpoint.emplace_back(std::string(c.GetString(0, r)), c.GetInt64(1, r));
      }));
  CNAKE_RETURN_IF_ERROR(
      ForEachRow(conn_,
                 fmt::format("SELECT http_status, count(*) FROM api_requests a WHERE {} GROUP BY 1 "
                             "ORDER BY 1 NULLS LAST",
                             InScope("a")),
                 scope, [&](const db::DataChunk& c, std::size_t r) {
                   t.by_http_status.emplace_back(OptInt(c, 0, r), c.GetInt64(1, r));
                 }));
  return t;
}

Result<std::vector<AttemptsRow>> DuckDbQueries::AttemptsPerEntry(const ReportScope& scope) {
  std::vector<AttemptsRow> out;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT CAST(coalesce(attempts, 0) AS BIGINT), count(*) FROM {} e WHERE {} AND "
                  "processing_status IN ({}, {}) GROUP BY 1 ORDER BY 1",
                  Q(tables_.entries), InScope("e"), StateLiteral(EntryState::kCompleted),
                  StateLiteral(EntryState::kFailed)),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        out.push_back({c.GetInt64(0, r), c.GetInt64(1, r)});
      }));
  return out;
}

Result<FinishSpan> DuckDbQueries::Finishes(const ReportScope& scope) {
  FinishSpan span;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT CAST(min(t) AS DOUBLE), CAST(max(t) - min(t) AS DOUBLE), "
                  "{} FROM ({}) WHERE t IS NOT NULL",
                  IsoTime("make_timestamp(CAST(min(t) AS BIGINT) * 1000)"), FinishEvents(tables_)),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        if (c.IsNull(0, r)) return;
        span.start_epoch_ms = c.GetDouble(0, r);
        span.span_seconds = c.GetDouble(1, r) / 1000;
        span.start = OptString(c, 2, r);
      }));
  return span;
}

Result<std::vector<FinishBucketRow>> DuckDbQueries::FinishesPerBucket(const ReportScope& scope,
                                                                      double start_epoch_ms,
                                                                      double width_seconds) {
  std::map<std::int64_t, FinishBucketRow> buckets;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format(
          "SELECT CAST(floor((t - CAST($2 AS DOUBLE)) / CAST($3 AS DOUBLE)) AS BIGINT) AS b, ok, "
          "count(*) FROM ({}) "
          "WHERE t IS NOT NULL GROUP BY 1, 2",
          FinishEvents(tables_)),
      scope,
      [&](const db::DataChunk& c, std::size_t r) {
        FinishBucketRow& b = buckets[c.GetInt64(0, r)];
        b.bucket = c.GetInt64(0, r);
        (c.GetInt32(1, r) ? b.completed : b.failed) += c.GetInt64(2, r);
      },
      start_epoch_ms, width_seconds * 1000));
  std::vector<FinishBucketRow> out;
  out.reserve(buckets.size());
  for (auto& [n, b] : buckets) out.push_back(b);
  return out;
}

// Keyset pages over rowid: memory stays bounded by the page.
Status DuckDbQueries::ForEachFailure(const ReportScope& scope,
                                     const std::function<Status(const FailureRow&)>& row) {
  const std::string sql = fmt::format(
      "SELECT rowid, entry_id, coalesce(error_type, 'unknown'), http_status, "
      "coalesce(error_message, ''), coalesce({}, '') FROM processing_errors pe WHERE {} AND "
      "rowid > $2 ORDER BY rowid LIMIT {}",
      IsoTime("occurred_at"), InScope("pe"), kFailurePageRows);
  std::int64_t after = -1;
  for (;;) {
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult rows, conn_.QueryWith(sql, scope.batch_id, after));
    std::int64_t n = 0;
    while (auto c = rows.NextChunk()) {
      for (std::size_t r = 0; r < c->size(); ++r, ++n) {
        after = c->GetInt64(0, r);
        CNAKE_RETURN_IF_ERROR(
            row({std::string(c->GetString(1, r)), std::string(c->GetString(2, r)), OptInt(*c, 3, r),
                 std::string(c->GetString(4, r)), std::string(c->GetString(5, r))}));
      }
    }
    if (n < kFailurePageRows) return Status::Ok();
  }
}

Result<std::vector<RequestErrorRow>> DuckDbQueries::RequestErrors(const ReportScope& scope) {
  std::vector<RequestErrorRow> out;
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn_,
      fmt::format("SELECT coalesce(endpoint, '?'), error_type, http_status, count(*), {}, {} "
                  "FROM api_requests a WHERE {} AND error_type IS NOT NULL GROUP BY 1, 2, 3 "
                  "ORDER BY 4 DESC, 1, 2, 3",
                  IsoTime("min(occurred_at)"), IsoTime("max(occurred_at)"), InScope("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        out.push_back({std::string(c.GetString(0, r)), std::string(c.GetString(1, r)),
                       OptInt(c, 2, r), c.GetInt64(3, r), OptString(c, 4, r), OptString(c, 5, r)});
      }));
  return out;
}

namespace {

// One page of the detailed report: the page's entries, then their requests
// and final failures, joined. $2: the last id of the previous page, $3: true
// for the first page (an id may be "", so it has no lower bound).
std::string DetailPageSql(const TableNames& tables) {
  return fmt::format(
      "WITH page AS (SELECT id, batch_id, processing_status, attempts, last_error, request_id, "
      "python_id, processed_at FROM {entries} e WHERE {scope} AND ($3 OR id > $2) ORDER BY id "
      "LIMIT {limit}), "
      "req AS (SELECT entry_id, count(*) AS n, sum(latency_ms) AS ms FROM api_requests a "
      "WHERE {scope_a} AND entry_id IN (SELECT id FROM page) GROUP BY entry_id), "
      "err AS (SELECT entry_id, arg_max(error_type, occurred_at) AS error_type, "
      "arg_max(http_status, occurred_at) AS http_status FROM processing_errors pe "
      "WHERE {scope_pe} AND entry_id IN (SELECT id FROM page) GROUP BY entry_id) "
      "SELECT page.id, coalesce(page.batch_id, ''), coalesce(page.processing_status, {pending}), "
      "CAST(coalesce(page.attempts, 0) AS BIGINT), "
      "TRY_CAST(json_extract(p.metadata, '$.latency_ms') AS DOUBLE), "
      "CAST(coalesce(req.n, 0) AS BIGINT), CAST(req.ms AS DOUBLE), "
      "CASE WHEN page.processing_status = {failed} THEN err.error_type END, "
      "CASE WHEN page.processing_status = {failed} THEN err.http_status END, "
      "CASE WHEN page.processing_status <> {completed} THEN page.last_error END, "
      "page.request_id, page.python_id, {processed_at} "
      "FROM page LEFT JOIN {results} p ON p.id = page.python_id "
      "LEFT JOIN req ON req.entry_id = page.id LEFT JOIN err ON err.entry_id = page.id "
      "ORDER BY page.id",
      fmt::arg("entries", Q(tables.entries)), fmt::arg("results", Q(tables.results)),
      fmt::arg("scope", InScope("e")), fmt::arg("scope_a", InScope("a")),
      fmt::arg("scope_pe", InScope("pe")), fmt::arg("limit", kDetailPageRows),
      fmt::arg("pending", StateLiteral(EntryState::kPending)),
      fmt::arg("failed", StateLiteral(EntryState::kFailed)),
      fmt::arg("completed", StateLiteral(EntryState::kCompleted)),
      fmt::arg("processed_at", IsoTime("page.processed_at")));
}

EntryDetailRow ReadDetailRow(const db::DataChunk& c, std::size_t r) {
  EntryDetailRow row;
  row.entry_id = std::string(c.GetString(0, r));
  row.batch_id = std::string(c.GetString(1, r));
  row.state = std::string(c.GetString(2, r));
  row.attempts = c.GetInt64(3, r);
  row.latency_ms = OptDouble(c, 4, r);
  row.requests = c.GetInt64(5, r);
  row.request_ms_total = OptDouble(c, 6, r);
  row.error_type = OptString(c, 7, r);
  row.http_status = OptInt(c, 8, r);
  row.error = OptString(c, 9, r);
  row.request_id = OptString(c, 10, r);
  row.python_id = OptString(c, 11, r);
  row.processed_at = OptString(c, 12, r);
  return row;
}

}  // namespace

Status DuckDbQueries::ForEachEntryDetail(const ReportScope& scope,
                                         const std::function<Status(const EntryDetailRow&)>& row) {
  const std::string sql = DetailPageSql(tables_);
  std::string after;
  bool first = true;
  for (;;) {
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult rows,
                           conn_.QueryWith(sql, scope.batch_id, after, first));
    first = false;
    std::int64_t n = 0;
    while (auto c = rows.NextChunk()) {
      for (std::size_t r = 0; r < c->size(); ++r, ++n) {
        EntryDetailRow detail = ReadDetailRow(*c, r);
        after = detail.entry_id;
        CNAKE_RETURN_IF_ERROR(row(detail));
      }
    }
    if (n < kDetailPageRows) return Status::Ok();
  }
}

}  // namespace cnake
