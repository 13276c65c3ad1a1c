#include "store/duckdb/entry_changes.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "store/duckdb/duckdb_store.h"

namespace cnake {
namespace {

std::string SqlInt(std::optional<std::int64_t> v) { return v ? std::to_string(*v) : "NULL"; }
std::string SqlBool(bool v) { return v ? "TRUE" : "FALSE"; }

// One field over all changes: the common literal when every entry has the
// same value, else a CASE on the entry's id.
using FieldValue = std::function<std::optional<std::string>(const EntryChange&)>;

std::optional<std::string> CaseOnId(const std::string& id_column,
                                    const std::vector<EntryChange>& changes,
                                    const std::vector<std::string>& id_literals,
                                    const FieldValue& value) {
  std::vector<std::string> values;
  values.reserve(changes.size());
  for (const EntryChange& e : changes) {
    auto v = value(e);
    if (!v) return std::nullopt;
    values.push_back(std::move(*v));
  }
  if (std::all_of(values.begin(), values.end(), [&](const auto& v) { return v == values[0]; })) {
    return values[0];
  }
  std::string out = "CASE " + id_column;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    out += " WHEN " + id_literals[i] + " THEN " + values[i];
  }
  return out + " END";
}

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

std::optional<ChangeFields> LiteralFields(const std::string& entries,
                                          const std::vector<EntryChange>& changes) {
  std::vector<std::string> ids;
  ids.reserve(changes.size());
  for (const EntryChange& e : changes) {
    auto literal = db::SqlStringLiteral(e.entry_id);
    if (!literal) return std::nullopt;
    ids.push_back(std::move(*literal));
  }
  const std::string id_column = entries + ".id";
  ChangeFields f;
  auto field = [&](std::string& out, const FieldValue& value) {
    auto sql = CaseOnId(id_column, changes, ids, value);
    if (sql) out = std::move(*sql);
    return sql.has_value();
  };
  auto text = [](const std::string& v) { return db::SqlStringLiteral(v); };
  const bool ok =
      field(f.kind,
            [&](const EntryChange& e) { return text(std::string(ChangeKindCode(e.kind))); }) &&
      field(f.state,
            [&](const EntryChange& e) { return text(std::string(EntryStateName(e.state))); }) &&
      field(f.submitted, [](const EntryChange& e) { return SqlBool(e.submitted); }) &&
      field(f.request_id, [&](const EntryChange& e) { return text(e.request_id); }) &&
      field(f.clear_request_id, [](const EntryChange& e) { return SqlBool(e.clear_request_id); }) &&
      field(f.submission_seq, [](const EntryChange& e) { return SqlInt(e.submission_seq); }) &&
      field(f.attempts, [](const EntryChange& e) { return SqlInt(e.attempts); }) &&
      field(f.last_error,
            [&](const EntryChange& e) -> std::optional<std::string> {
              return e.last_error ? text(*e.last_error) : std::optional<std::string>("NULL");
            }) &&
      field(f.python_id, [&](const EntryChange& e) -> std::optional<std::string> {
        // Computed from the id, not a CASE with a branch per entry.
        return e.kind == ChangeKind::kCompleted ? PythonIdSql(id_column) : "NULL";
      });
  if (!ok) return std::nullopt;
  return f;
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
