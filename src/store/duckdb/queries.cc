#include "store/duckdb/queries.h"

#include <fmt/format.h>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/entry_changes.h"

namespace cnake {
namespace {

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

std::optional<std::string> OptionalBatch(const std::string& batch_id) {
  return batch_id.empty() ? std::nullopt : std::optional<std::string>(batch_id);
}

}  // namespace

Result<Statistics> DuckDbQueries::GetStatistics() {
  Statistics s;
  for (EntryState state : kAllEntryStates) s.by_state[state] = 0;
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn_.Query(fmt::format("SELECT coalesce(processing_status, '{}'), count(*) FROM {} "
                              "GROUP BY ALL",
                              EntryStateName(EntryState::kPending), Q(tables_.entries))));
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      const std::int64_t n = chunk->GetInt64(1, row);
      const std::string_view text = chunk->GetString(0, row);
      if (auto state = ParseEntryState(text)) {
        s.by_state[*state] += n;
      } else {
        s.unknown_states[std::string(text)] += n;
      }
      s.total_entries += n;
    }
  }
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult counts,
      conn_.Query(fmt::format("SELECT (SELECT count(*) FROM {}), (SELECT count(*) FROM "
                              "processing_errors), (SELECT count(*) FROM batch_jobs)",
                              Q(tables_.results))));
  if (auto chunk = counts.NextChunk()) {
    s.python_entries = chunk->GetInt64(0, 0);
    s.errors = chunk->GetInt64(1, 0);
    s.batches = chunk->GetInt64(2, 0);
  }
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult batches,
      conn_.Query(fmt::format("SELECT {} FROM batch_jobs ORDER BY started_at DESC, id DESC "
                              "LIMIT 20",
                              BatchSelectList())));
  while (auto chunk = batches.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      s.recent_batches.push_back(ReadBatchRow(*chunk, row));
    }
  }
  return s;
}

Result<std::vector<std::string>> DuckDbQueries::RecentErrors(const std::string& batch_id,
                                                             std::size_t limit) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult errs,
      conn_.QueryWith("SELECT entry_id || ': ' || coalesce(error_type, '?') || ': ' || "
                      "coalesce(error_message, '') FROM processing_errors WHERE batch_id = ? "
                      "ORDER BY occurred_at DESC LIMIT ?",
                      batch_id, static_cast<std::int64_t>(limit)));
  std::vector<std::string> out;
  while (auto chunk = errs.NextChunk()) {
    for (std::size_t r = 0; r < chunk->size(); ++r) out.emplace_back(chunk->GetString(0, r));
  }
  return out;
}

std::optional<RequestSummary> DuckDbQueries::StoredSummary(const std::string& batch_id) {
  auto r = conn_.QueryWith(
      "SELECT request_summary FROM batch_jobs WHERE id = ? AND status = 'completed'", batch_id);
  if (!r.ok()) return std::nullopt;  // say, a read-only file from before the column
  auto chunk = r->NextChunk();
  if (!chunk || chunk->size() == 0 || chunk->IsNull(0, 0)) return std::nullopt;
  return ParseRequestSummary(chunk->GetString(0, 0));
}

Result<TokenTotalsRow> DuckDbQueries::TokenTotals(const std::string& batch_id) {
  if (!batch_id.empty()) {
    if (auto stored = StoredSummary(batch_id)) return stored->tokens;
  }
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn_.QueryWith("SELECT CAST(coalesce(sum(prompt_tokens), 0) AS BIGINT), "
                      "CAST(coalesce(sum(completion_tokens), 0) AS BIGINT), "
                      "count(*) FILTER (WHERE prompt_tokens IS NOT NULL OR "
                      "completion_tokens IS NOT NULL), "
                      "count(DISTINCT entry_id) FILTER (WHERE prompt_tokens IS NOT NULL OR "
                      "completion_tokens IS NOT NULL), "
                      "count(*) FILTER (WHERE error_type = 'interrupted') "
                      "FROM api_requests WHERE CAST($1 AS VARCHAR) IS NULL OR batch_id = $1",
                      OptionalBatch(batch_id)));
  TokenTotalsRow row;
  if (auto chunk = r.NextChunk(); chunk && chunk->size() > 0) {
    row.prompt_tokens = chunk->GetInt64(0, 0);
    row.completion_tokens = chunk->GetInt64(1, 0);
    row.requests_with_usage = chunk->GetInt64(2, 0);
    row.entries_with_usage = chunk->GetInt64(3, 0);
    row.interrupted = chunk->GetInt64(4, 0);
  }
  return row;
}

Result<std::vector<RequestOutcomeRow>> DuckDbQueries::RecentOutcomes(const std::string& batch_id,
                                                                     std::size_t limit) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult rows,
      conn_.QueryWith("SELECT coalesce(error_type, ''), coalesce(http_status, 0) "
                      "FROM (SELECT error_type, http_status, occurred_at, rowid AS r "
                      "FROM api_requests WHERE CAST($1 AS VARCHAR) IS NULL OR "
                      "batch_id = $1 ORDER BY occurred_at DESC, r DESC LIMIT $2) "
                      "ORDER BY occurred_at, r",
                      OptionalBatch(batch_id), static_cast<std::int64_t>(limit)));
  std::vector<RequestOutcomeRow> out;
  while (auto chunk = rows.NextChunk()) {
    for (std::size_t r = 0; r < chunk->size(); ++r) {
      out.push_back({std::string(chunk->GetString(0, r)), chunk->GetInt32(1, r)});
    }
  }
  return out;
}

Result<std::optional<nlohmann::json>> DuckDbQueries::LatestBatchOptions(
    const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult opts,
      conn_.QueryWith("SELECT CAST(options AS VARCHAR) FROM batch_jobs WHERE CAST($1 AS VARCHAR) "
                      "IS NULL OR id = $1 ORDER BY started_at DESC LIMIT 1",
                      OptionalBatch(batch_id)));
  auto chunk = opts.NextChunk();
  if (!chunk || chunk->size() == 0 || chunk->IsNull(0, 0)) return std::optional<nlohmann::json>();
  auto j = nlohmann::json::parse(chunk->GetString(0, 0), nullptr, false);
  if (j.is_discarded()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(std::move(j));
}

// Every stored result with its entry, in entry id order, one page at a time:
// first the page's keys (a top-N over the short cython_id column), then its
// rows by id range. One ORDER BY or hash join over all the rows carries the
// python text through an operator that must hold it, and ran out of
// memory_limit (200,000 results failed at 256MB; docs/reliability.md).
Status DuckDbQueries::ForEachResult(const std::function<Status(const ResultRow&)>& row_fn) {
  constexpr std::int64_t kPage = 1000;
  const std::string keys_sql = fmt::format(
      "SELECT cython_id FROM {} WHERE cython_id IS NOT NULL AND (? OR cython_id > ?) "
      "ORDER BY cython_id LIMIT ?",
      Q(tables_.results));
  // The entries side is bounded too, so each page's join stays small, unless
  // an id column has a collation: its BETWEEN could then exclude a match.
  CNAKE_ASSIGN_OR_RETURN(const bool bytewise, IdsCompareBytewise(conn_, tables_));
  const std::string rows_sql = fmt::format(
      "SELECT e.id, p.id, p.code, CAST(p.metadata AS VARCHAR), e.description FROM {} p "
      "JOIN {} e ON e.id = p.cython_id WHERE p.cython_id BETWEEN ? AND ?{} "
      "ORDER BY e.id, p.id",
      Q(tables_.results), Q(tables_.entries), bytewise ? " AND e.id BETWEEN ? AND ?" : "");
  std::optional<std::string> after;
  while (true) {
    std::string lo, hi;
    std::int64_t keys = 0;
    {
      CNAKE_ASSIGN_OR_RETURN(db::QueryResult r, conn_.QueryWith(keys_sql, !after.has_value(),
                                                                after.value_or(""), kPage));
      while (auto chunk = r.NextChunk()) {
        for (std::size_t row = 0; row < chunk->size(); ++row, ++keys) {
          if (keys == 0) lo = chunk->GetString(0, row);
          hi = chunk->GetString(0, row);
        }
      }
    }
    if (keys == 0) return Status::Ok();
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult r, bytewise ? conn_.QueryWith(rows_sql, lo, hi, lo, hi)
                                                       : conn_.QueryWith(rows_sql, lo, hi));
    while (auto chunk = r.NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row) {
        CNAKE_RETURN_IF_ERROR(
            row_fn({std::string(chunk->GetString(0, row)), std::string(chunk->GetString(1, row)),
                    std::string(chunk->GetString(2, row)), chunk->GetOptString(3, row),
                    chunk->GetOptString(4, row)}));
      }
    }
    if (keys < kPage) return Status::Ok();
    after = hi;  // duplicates of hi were all in this page's range
  }
}

// Parquet goes out in one COPY, which cannot be paged, so it reads the
// results table alone: no join and no ORDER BY (rows in storage order), and
// row groups of 8,192 rows (DuckDB's default of 122,880 rows of python text
// needs more than the default memory_limit). Every result with a cython_id.
Result<std::int64_t> DuckDbQueries::ExportParquet(const std::string& path) {
  const auto literal = db::SqlStringLiteral(path);
  if (!literal) return InvalidArgument("the output path contains a NUL byte");
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn_.Query(
          fmt::format("COPY (SELECT cython_id AS id, id AS python_id, code, metadata FROM {} WHERE "
                      "cython_id IS NOT NULL) TO {} (FORMAT parquet, ROW_GROUP_SIZE 8192)",
                      Q(tables_.results), *literal)));
  return r.rows_changed();
}

}  // namespace cnake
