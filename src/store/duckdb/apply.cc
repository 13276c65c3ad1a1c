#include "store/duckdb/apply.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/duckdb/duckdb_store.h"
#include "store/duckdb/entry_changes.h"

namespace cnake {
namespace {

// Per connection, so writers on other connections do not see each other's rows.
// Replaced, not emptied, on every use: DuckDB's row-count estimate of a table
// counts deleted rows until a checkpoint (temp tables never get one), so an
// emptied-and-refilled table looked bigger with every use until the
// optimizer built the join's hash table from the whole entries table instead.
constexpr const char* kGroupTable =
    "CREATE OR REPLACE TEMP TABLE cnake_group (entry_id VARCHAR, kind VARCHAR, "
    "state VARCHAR, submitted BOOLEAN, request_id VARCHAR, clear_request_id BOOLEAN, "
    "submission_seq INTEGER, attempts INTEGER, last_error VARCHAR, python_id VARCHAR)";

Status AppendChange(db::Appender& app, const EntryChange& e) {
  CNAKE_RETURN_IF_ERROR(app.Append(e.entry_id));
  CNAKE_RETURN_IF_ERROR(app.Append(ChangeKindCode(e.kind)));
  CNAKE_RETURN_IF_ERROR(app.Append(EntryStateName(e.state)));
  CNAKE_RETURN_IF_ERROR(app.Append(e.submitted));
  CNAKE_RETURN_IF_ERROR(app.Append(e.request_id));
  CNAKE_RETURN_IF_ERROR(app.Append(e.clear_request_id));
  CNAKE_RETURN_IF_ERROR(app.Append(e.submission_seq));
  CNAKE_RETURN_IF_ERROR(app.Append(e.attempts));
  CNAKE_RETURN_IF_ERROR(app.Append(e.last_error));
  if (e.kind == ChangeKind::kCompleted) {
    CNAKE_RETURN_IF_ERROR(app.Append(PythonIdFor(e.entry_id)));
  } else {
    CNAKE_RETURN_IF_ERROR(app.Append(std::nullopt));
  }
  return app.EndRow();
}

Status StageChanges(db::Connection& conn, const std::vector<EntryChange>& changes) {
  CNAKE_RETURN_IF_ERROR(conn.Execute(kGroupTable));
  CNAKE_ASSIGN_OR_RETURN(db::Appender app,
                         db::Appender::Create(conn, "cnake_group", "main", "temp"));
  for (const EntryChange& e : changes) CNAKE_RETURN_IF_ERROR(AppendChange(app, e));
  return app.Close();
}

std::vector<EntryChange> OfKind(const std::vector<EntryChange>& changes, ChangeKind kind) {
  std::vector<EntryChange> out;
  for (const EntryChange& e : changes) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

// Applies changes that all have the same kind; returns how many entries it
// moved. Should the literal UPDATE reach fewer entries than it was given (an
// id that compares in a way the bounds did not foresee, or an entry finished
// meanwhile), the join form runs as well: its values are absolute, so
// entries already updated get the same values again, and entries the first
// UPDATE finished are no longer unfinished, so nothing counts twice. (For
// kNotFinal changes, which stay unfinished, the count is not a transition
// count and nobody uses it.)
Result<std::int64_t> ApplyChangesOfOneKind(db::Connection& conn, const std::string& entries,
                                           const std::vector<EntryChange>& changes, ChangeKind kind,
                                           bool bytewise_ids) {
  std::int64_t updated = 0;
  if (bytewise_ids) {
    std::vector<std::string_view> ids;
    ids.reserve(changes.size());
    for (const EntryChange& e : changes) ids.push_back(e.entry_id);
    const auto literal = LiteralFields(entries, changes);
    const auto filter = IdFilterSql(entries + ".id", ids);
    if (literal && filter) {
      CNAKE_ASSIGN_OR_RETURN(updated,
                             conn.RunWith(EntryUpdateSql(entries, *literal, "WHERE " + *filter)));
      if (updated == static_cast<std::int64_t>(changes.size())) return updated;
    }
  }
  CNAKE_RETURN_IF_ERROR(StageChanges(conn, changes));
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t joined,
      conn.RunWith(EntryUpdateSql(entries, StagedFields(),
                                  fmt::format("FROM temp.cnake_group g WHERE {}.id = g.entry_id "
                                              "AND g.kind = '{}'",
                                              entries, ChangeKindCode(kind)))));
  return updated + joined;
}

// Literal statements carry a CASE branch per entry for the values that
// differ (request ids): binding and evaluating one grows with the square of
// its entries, so big folds go in chunks (4,096 entries in one statement
// took ~60 ms; in chunks of 256, ~12 ms).
constexpr std::size_t kChunk = 256;

}  // namespace

Result<Transitions> ApplyEntryChanges(db::Connection& conn, const std::string& entries,
                                      const std::vector<EntryChange>& changes, bool bytewise_ids) {
  Transitions t;
  for (const ChangeKind kind :
       {ChangeKind::kNotFinal, ChangeKind::kCompleted, ChangeKind::kFailed}) {
    const std::vector<EntryChange> of_kind = OfKind(changes, kind);
    for (std::size_t start = 0; start < of_kind.size(); start += kChunk) {
      const std::vector<EntryChange> chunk(
          of_kind.begin() + static_cast<std::ptrdiff_t>(start),
          of_kind.begin() + static_cast<std::ptrdiff_t>(std::min(of_kind.size(), start + kChunk)));
      CNAKE_ASSIGN_OR_RETURN(std::int64_t moved,
                             ApplyChangesOfOneKind(conn, entries, chunk, kind, bytewise_ids));
      if (kind == ChangeKind::kCompleted) t.completed += moved;
      if (kind == ChangeKind::kFailed) t.failed += moved;
    }
  }
  return t;
}

}  // namespace cnake
