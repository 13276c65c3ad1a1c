#include "store/duckdb/entry_changes.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/duckdb/duckdb_store.h"

namespace cnake {
namespace {

}  // namespace

const std::string& UnfinishedEntrySql() {
  static const std::string sql =
      fmt::format("coalesce(processing_status, '{0}') NOT IN ('{1}', '{2}')",
                  EntryStateName(EntryState::kPending), EntryStateName(EntryState::kCompleted),
                  EntryStateName(EntryState::kFailed));
  return sql;
}

std::string EntryUpdateSql(const std::string& entries, const ChangeFields& g,
                           const std::string& from_where) {
  return fmt::format(
      "UPDATE {0} SET "
      "processing_status = CASE {kind} WHEN 'c' THEN '{completed}' WHEN 'f' THEN '{failed}' "
      "ELSE {state} END, "
      "processed = CASE {kind} WHEN 'c' THEN TRUE WHEN 'f' THEN FALSE ELSE {0}.processed END, "
      "python_id = CASE {kind} WHEN 'c' THEN {python_id} ELSE {0}.python_id END, "
      "attempts = {attempts}, "
      "last_error = CASE {kind} WHEN 'p' THEN coalesce({last_error}, {0}.last_error) "
      "ELSE {last_error} END, "
      "request_id = CASE WHEN {clear_request_id} THEN NULL WHEN {submitted} THEN {request_id} "
      "ELSE {0}.request_id END, "
      "submission_seq = coalesce({submission_seq}, {0}.submission_seq), "
      "processed_at = CASE {kind} WHEN 'p' THEN {0}.processed_at ELSE now() END, "
      "updated_at = now() {from_where} AND {unfinished}",
      entries, fmt::arg("kind", g.kind), fmt::arg("state", g.state),
      fmt::arg("python_id", g.python_id), fmt::arg("attempts", g.attempts),
      fmt::arg("last_error", g.last_error), fmt::arg("clear_request_id", g.clear_request_id),
      fmt::arg("submitted", g.submitted), fmt::arg("request_id", g.request_id),
      fmt::arg("submission_seq", g.submission_seq), fmt::arg("from_where", from_where),
      fmt::arg("unfinished", UnfinishedEntrySql()),
      fmt::arg("completed", EntryStateName(EntryState::kCompleted)),
      fmt::arg("failed", EntryStateName(EntryState::kFailed)));
}

ChangeFields StagedFields() {
  return {.kind = "g.kind",
          .state = "g.state",
          .submitted = "g.submitted",
          .request_id = "g.request_id",
          .clear_request_id = "g.clear_request_id",
          .submission_seq = "g.submission_seq",
          .attempts = "g.attempts",
          .last_error = "g.last_error",
          .python_id = "g.python_id"};
}

std::optional<std::string> IdFilterSql(const std::string& column,
                                       const std::vector<std::string_view>& ids) {
  if (ids.empty()) return "FALSE";
  auto list = db::SqlStringList(ids);
  if (!list) return std::nullopt;
  // SqlStringList gives "(a, b)"; list_contains takes a list literal.
  list->front() = '[';
  list->back() = ']';
  const auto [lo, hi] = std::minmax_element(ids.begin(), ids.end());
  return fmt::format("list_contains({0}, {1}) AND {1} BETWEEN {2} AND {3}", *list, column,
                     *db::SqlStringLiteral(*lo), *db::SqlStringLiteral(*hi));
}

Result<bool> IdsCompareBytewise(db::Connection& conn, const TableNames& tables) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.QueryWith("SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                     "current_database() AND schema_name = 'main' AND lower(table_name) IN "
                     "(lower(?), lower(?)) AND contains(upper(sql), 'COLLATE')) = 0 AND "
                     "coalesce(current_setting('default_collation'), '') = ''",
                     tables.entries, tables.results));
  auto chunk = r.NextChunk();
  if (!chunk || chunk->size() == 0) return false;
  return chunk->GetBool(0, 0);
}

}  // namespace cnake
