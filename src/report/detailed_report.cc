#include "report/detailed_report.h"

#include <fmt/format.h>

#include "report/report_sql.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

std::string PageSql(const Scope& scope) {
  return fmt::format(
      "WITH page AS (SELECT id, batch_id, processing_status, attempts, last_error, request_id, "
      "python_id, processed_at FROM {entries} e WHERE {scope} AND ($3 OR id > $2) ORDER BY id "
      "LIMIT "
      "{limit}), "
      "req AS (SELECT entry_id, count(*) AS n, sum(latency_ms) AS ms FROM api_requests a "
      "WHERE {scope_a} AND entry_id IN (SELECT id FROM page) GROUP BY entry_id), "
      "err AS (SELECT entry_id, arg_max(error_type, occurred_at) AS error_type, "
      "arg_max(http_status, occurred_at) AS http_status FROM processing_errors pe "
      "WHERE {scope_pe} AND entry_id IN (SELECT id FROM page) GROUP BY entry_id) "
      "SELECT page.id, coalesce(page.batch_id, ''), coalesce(page.processing_status, 'pending'), "
      "CAST(coalesce(page.attempts, 0) AS BIGINT), "
      "TRY_CAST(json_extract(p.metadata, '$.latency_ms') AS DOUBLE), "
      "CAST(coalesce(req.n, 0) AS BIGINT), CAST(req.ms AS DOUBLE), "
      "CASE WHEN page.processing_status = 'failed' THEN err.error_type END, "
      "CASE WHEN page.processing_status = 'failed' THEN err.http_status END, "
      "CASE WHEN page.processing_status <> 'completed' THEN page.last_error END, "
      "page.request_id, page.python_id, {processed_at} "
      "FROM page LEFT JOIN {results} p ON p.id = page.python_id "
      "LEFT JOIN req ON req.entry_id = page.id LEFT JOIN err ON err.entry_id = page.id "
      "ORDER BY page.id",
      fmt::arg("entries", EntriesTable(scope)), fmt::arg("results", ResultsTable(scope)),
      fmt::arg("scope", ScopeCondition("e")), fmt::arg("scope_a", ScopeCondition("a")),
      fmt::arg("scope_pe", ScopeCondition("pe")), fmt::arg("limit", kDetailPageRows),
      fmt::arg("processed_at", IsoTime("page.processed_at")));
}

DetailRow ReadRow(const db::DataChunk& c, std::size_t r) {
  DetailRow row;
  row.entry_id = std::string(c.GetString(0, r));
  row.batch_id = std::string(c.GetString(1, r));
  row.state = std::string(c.GetString(2, r));
  row.attempts = c.GetInt64(3, r);
  if (!c.IsNull(4, r)) row.latency_ms = c.GetDouble(4, r);
  row.requests = c.GetInt64(5, r);
  if (!c.IsNull(6, r)) row.request_ms_total = c.GetDouble(6, r);
  row.error_type = c.GetOptString(7, r);
  if (!c.IsNull(8, r)) row.http_status = c.GetInt32(8, r);
  row.error = c.GetOptString(9, r);
  row.request_id = c.GetOptString(10, r);
  row.python_id = c.GetOptString(11, r);
  row.processed_at = c.GetOptString(12, r);
  return row;
}

std::string Num(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string();
}

template <typename T>
ordered_json Opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}

}  // namespace

const std::vector<std::string>& DetailColumns() {
  static const std::vector<std::string> kColumns = {
      "entry_id",   "batch_id",         "state",       "attempts",    "latency_ms",
      "requests",   "request_ms_total", "error_type",  "http_status", "error",
      "request_id", "python_id",        "processed_at"};
  return kColumns;
}

std::vector<std::string> DetailCells(const DetailRow& r) {
  return {r.entry_id,
          r.batch_id,
          r.state,
          std::to_string(r.attempts),
          Num(r.latency_ms),
          std::to_string(r.requests),
          Num(r.request_ms_total),
          r.error_type.value_or(""),
          r.http_status ? std::to_string(*r.http_status) : "",
          r.error.value_or(""),
          r.request_id.value_or(""),
          r.python_id.value_or(""),
          r.processed_at.value_or("")};
}

ordered_json DetailJson(const DetailRow& r) {
  return {{"entry_id", r.entry_id},
          {"batch_id", r.batch_id},
          {"state", r.state},
          {"attempts", r.attempts},
          {"latency_ms", Opt(r.latency_ms)},
          {"requests", r.requests},
          {"request_ms_total", Opt(r.request_ms_total)},
          {"error_type", Opt(r.error_type)},
          {"http_status", Opt(r.http_status)},
          {"error", Opt(r.error)},
          {"request_id", Opt(r.request_id)},
          {"python_id", Opt(r.python_id)},
          {"processed_at", Opt(r.processed_at)}};
}

Status StreamDetailRows(db::Connection& conn, const Scope& scope,
                        const std::function<Status(const DetailRow&)>& sink) {
  CNAKE_RETURN_IF_ERROR(CheckBatchExists(conn, scope));
  const std::string sql = PageSql(scope);
  std::string after;
  bool first = true;  // the first page has no lower bound (an id may be "")
  for (;;) {
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult rows, conn.QueryWith(sql, scope.batch_id, after, first));
    first = false;
    std::int64_t n = 0;
    while (auto c = rows.NextChunk()) {
      for (std::size_t r = 0; r < c->size(); ++r, ++n) {
        DetailRow row = ReadRow(*c, r);
        after = row.entry_id;
        CNAKE_RETURN_IF_ERROR(sink(row));
      }
    }
    if (n < kDetailPageRows) return Status::Ok();
  }
}

}  // namespace cnake::report
