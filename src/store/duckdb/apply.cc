#include "store/duckdb/apply.h"

#include <fmt/format.h>

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

// The staged final changes whose entry rows are still unfinished. The
// unqualified status column is the entries table's: cnake_group has none.
Result<FinalMoves> CountFinalMoves(db::Connection& conn, const std::string& entries) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.Query(fmt::format(
          "SELECT CAST(count(*) FILTER (WHERE g.kind = '{1}') AS BIGINT), "
          "CAST(count(*) FILTER (WHERE g.kind = '{2}') AS BIGINT) FROM temp.cnake_group g "
          "JOIN {0} ON {0}.id = g.entry_id WHERE g.kind IN ('{1}', '{2}') AND {3}",
          entries, ChangeKindCode(ChangeKind::kCompleted), ChangeKindCode(ChangeKind::kFailed),
          UnfinishedEntrySql())));
  FinalMoves moves;
  if (auto chunk = r.NextChunk(); chunk && chunk->size() > 0) {
    moves.completed = chunk->GetInt64(0, 0);
    moves.failed = chunk->GetInt64(1, 0);
  }
  return moves;
}

}  // namespace

Result<FinalMoves> ApplyEntryChanges(db::Connection& conn, const std::string& entries,
                                     const std::vector<EntryChange>& changes) {
  CNAKE_RETURN_IF_ERROR(StageChanges(conn, changes));
  CNAKE_ASSIGN_OR_RETURN(const FinalMoves moves, CountFinalMoves(conn, entries));
  CNAKE_RETURN_IF_ERROR(
      conn.RunWith(EntryUpdateSql(
                       entries, StagedFields(),
                       fmt::format("FROM temp.cnake_group g WHERE {}.id = g.entry_id", entries)))
          .status());
  return moves;
}

}  // namespace cnake
