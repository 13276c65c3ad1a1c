#include "store/postgres/pg_queries.h"

#include <fmt/format.h>

#include "store/postgres/pg_batch_sql.h"

namespace cnake {

using pg::Args;

namespace {

std::string Q(const std::string& name) { return pg::QuoteIdentifier(name); }

std::optional<std::string> OptionalBatch(const std::string& batch_id) {
  return batch_id.empty() ? std::nullopt : std::optional<std::string>(batch_id);
}

}  // namespace

Result<Statistics> PostgresQueries::GetStatistics() {
  Statistics s;
  for (EntryState state : kAllEntryStates) s.by_state[state] = 0;
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read(fmt::format("SELECT coalesce(processing_status, 'pending'), count(*) FROM {} "
                              "GROUP BY 1",
                              Q(tables_.entries))));
  for (int i = 0; i < r.rows(); ++i) {
    const std::int64_t n = r.GetInt64(i, 1);
    if (auto state = ParseEntryState(r.Get(i, 0))) {
      s.by_state[*state] += n;
    } else {
      s.unknown_states[std::string(r.Get(i, 0))] += n;
    }
    s.total_entries += n;
  }
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult counts,
      store_.Read(fmt::format("SELECT (SELECT count(*) FROM {}), (SELECT count(*) FROM "
                              "processing_errors), (SELECT count(*) FROM batch_jobs)",
                              Q(tables_.results))));
  s.python_entries = counts.GetInt64(0, 0);
  s.errors = counts.GetInt64(0, 1);
  s.batches = counts.GetInt64(0, 2);
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult batches,
      store_.Read("SELECT " + pg::BatchColumns() +
                  " FROM batch_jobs ORDER BY started_at DESC, id DESC LIMIT 20"));
  for (int i = 0; i < batches.rows(); ++i) {
    BatchRecord b = pg::ReadBatch(batches, i);
    b.retry_after_wait_seconds.reset();  // not read for the list (store/types.h)
    b.breaker_open_seconds.reset();
    s.recent_batches.push_back(std::move(b));
  }
  return s;
}

Result<std::vector<std::string>> PostgresQueries::RecentErrors(const std::string& batch_id,
                                                               std::size_t limit) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read("SELECT entry_id || ': ' || coalesce(error_type, '?') || ': ' || "
                  "coalesce(error_message, '') FROM processing_errors WHERE batch_id = $1 "
                  "ORDER BY occurred_at DESC LIMIT $2",
                  Args(batch_id, limit)));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0));
  return out;
}

Result<std::vector<RequestOutcomeRow>> PostgresQueries::RecentOutcomes(const std::string& batch_id,
                                                                       std::size_t limit) {
  // ctid breaks ties in insertion order: the log's rows are never updated.
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read("SELECT coalesce(error_type, ''), coalesce(http_status, 0) FROM (SELECT "
                  "error_type, http_status, occurred_at, ctid AS c FROM api_requests WHERE "
                  "$1::text IS NULL OR batch_id = $1 ORDER BY occurred_at DESC, c DESC LIMIT $2) "
                  "x ORDER BY occurred_at, c",
                  Args(OptionalBatch(batch_id), limit)));
  std::vector<RequestOutcomeRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Get(i, 0)), static_cast<int>(r.GetInt64(i, 1))});
  }
  return out;
}

std::optional<RequestSummary> PostgresQueries::StoredSummary(const std::string& batch_id) {
  auto r = store_.Read(
      "SELECT request_summary FROM batch_jobs WHERE id = $1 AND status = 'completed'",
      Args(batch_id));
  if (!r.ok() || r->rows() == 0 || r->IsNull(0, 0)) return std::nullopt;
  return ParseRequestSummary(r->Get(0, 0));
}

Result<TokenTotalsRow> PostgresQueries::TokenTotals(const std::string& batch_id) {
  if (!batch_id.empty()) {
    if (auto stored = StoredSummary(batch_id)) return stored->tokens;
  }
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read("SELECT coalesce(sum(prompt_tokens), 0)::bigint, "
                  "coalesce(sum(completion_tokens), 0)::bigint, count(*) FILTER (WHERE "
                  "prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL), count(DISTINCT "
                  "entry_id) FILTER (WHERE prompt_tokens IS NOT NULL OR completion_tokens IS NOT "
                  "NULL), count(*) FILTER (WHERE error_type = 'interrupted') FROM api_requests "
                  "WHERE $1::text IS NULL OR batch_id = $1",
                  Args(OptionalBatch(batch_id))));
  TokenTotalsRow row;
  if (r.rows() > 0) {
    row.prompt_tokens = r.GetInt64(0, 0);
    row.completion_tokens = r.GetInt64(0, 1);
    row.requests_with_usage = r.GetInt64(0, 2);
    row.entries_with_usage = r.GetInt64(0, 3);
    row.interrupted = r.GetInt64(0, 4);
  }
  return row;
}

Result<std::optional<nlohmann::json>> PostgresQueries::LatestBatchOptions(
    const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      store_.Read("SELECT options::text FROM batch_jobs WHERE $1::text IS NULL OR id = $1 "
                  "ORDER BY started_at DESC LIMIT 1",
                  Args(OptionalBatch(batch_id))));
  if (r.rows() == 0 || r.IsNull(0, 0)) return std::optional<nlohmann::json>();
  auto j = nlohmann::json::parse(r.Get(0, 0), nullptr, false);
  if (j.is_discarded()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(std::move(j));
}

// Every stored result with its entry, in entry id order, a page at a time
// (keyset on the entry id), so memory stays bounded.
Status PostgresQueries::ForEachResult(const std::function<Status(const ResultRow&)>& row_fn) {
  constexpr std::int64_t kPage = 1000;
  const std::string sql = fmt::format(
      "SELECT e.id, p.id, p.code, p.metadata::text, e.description FROM {} p JOIN {} e ON e.id = "
      "p.cython_id WHERE $1::text IS NULL OR e.id > $1 ORDER BY e.id, p.id LIMIT $2",
      Q(tables_.results), Q(tables_.entries));
  std::optional<std::string> after;
  while (true) {
    CNAKE_ASSIGN_OR_RETURN(pg::QueryResult r, store_.Read(sql, Args(after, kPage)));
    for (int i = 0; i < r.rows(); ++i) {
      CNAKE_RETURN_IF_ERROR(row_fn({std::string(r.Get(i, 0)), std::string(r.Get(i, 1)),
                                    std::string(r.Get(i, 2)), r.GetOpt(i, 3), r.GetOpt(i, 4)}));
    }
    if (r.rows() < kPage) return Status::Ok();
    // An entry with results on both sides of the page boundary: the rest of
    // its rows come next (entries have one result row by construction, so
    // this is for foreign data).
    const std::string last_entry(r.Get(r.rows() - 1, 0));
    CNAKE_ASSIGN_OR_RETURN(
        pg::QueryResult rest,
        store_.Read(fmt::format("SELECT e.id, p.id, p.code, p.metadata::text, e.description FROM "
                                "{} p JOIN {} e ON e.id = p.cython_id WHERE e.id = $1 AND p.id > "
                                "$2 ORDER BY p.id",
                                Q(tables_.results), Q(tables_.entries)),
                    Args(last_entry, std::string(r.Get(r.rows() - 1, 1)))));
    for (int i = 0; i < rest.rows(); ++i) {
      CNAKE_RETURN_IF_ERROR(
          row_fn({std::string(rest.Get(i, 0)), std::string(rest.Get(i, 1)),
                  std::string(rest.Get(i, 2)), rest.GetOpt(i, 3), rest.GetOpt(i, 4)}));
    }
    after = last_entry;
  }
}

Result<std::int64_t> PostgresQueries::ExportParquet(const std::string& /*path*/) {
  return InvalidArgument(
      "Parquet is written by DuckDB: run `export --format duckdb -o results.duckdb` first, then "
      "`export --format parquet --db-path results.duckdb` with store.url unset");
}

}  // namespace cnake
