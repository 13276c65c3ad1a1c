#include "store/duckdb/journal.h"

#include <map>

#include "store/duckdb/apply.h"
#include "store/duckdb/entry_changes.h"
#include "store/duckdb/result_rows.h"

namespace cnake {

Result<std::int64_t> NextJournalSeq(db::Connection& conn) {
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult r,
                         conn.Query("SELECT CAST(coalesce(max(seq), 0) + 1 AS BIGINT) FROM "
                                    "cnake_journal"));
  auto chunk = r.NextChunk();
  return chunk && chunk->size() > 0 ? chunk->GetInt64(0, 0) : 1;
}

Status AppendJournal(db::Connection& conn, const std::string& batch_id,
                     const std::vector<EntryChange>& changes, std::int64_t first_seq) {
  if (changes.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::Appender app,
      db::Appender::CreateFor(
          conn, "cnake_journal",
          {"seq", "batch_id", "entry_id", "kind", "state", "submitted", "request_id",
           "clear_request_id", "submission_seq", "attempts", "last_error", "moves_counters"}));
  std::int64_t seq = first_seq;
  for (const EntryChange& e : changes) {
    CNAKE_RETURN_IF_ERROR(app.Append(seq++));
    CNAKE_RETURN_IF_ERROR(app.Append(batch_id));
    CNAKE_RETURN_IF_ERROR(app.Append(e.entry_id));
    CNAKE_RETURN_IF_ERROR(app.Append(ChangeKindCode(e.kind)));
    CNAKE_RETURN_IF_ERROR(app.Append(EntryStateName(e.state)));
    CNAKE_RETURN_IF_ERROR(app.Append(e.submitted));
    CNAKE_RETURN_IF_ERROR(app.Append(e.request_id));
    CNAKE_RETURN_IF_ERROR(app.Append(e.clear_request_id));
    CNAKE_RETURN_IF_ERROR(app.Append(e.submission_seq));
    CNAKE_RETURN_IF_ERROR(app.Append(e.attempts));
    CNAKE_RETURN_IF_ERROR(app.Append(e.last_error));
    CNAKE_RETURN_IF_ERROR(app.Append(true));
    CNAKE_RETURN_IF_ERROR(app.EndRow());
  }
  return app.Close();
}

Status FoldJournal(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                   const std::vector<EntryChange>& changes, std::int64_t up_to_seq,
                   CounterRule rule) {
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
  if (!changes.empty()) {
    CNAKE_ASSIGN_OR_RETURN(const FinalMoves moved,
                           ApplyEntryChanges(conn, db::QuoteIdentifier(tables.entries), changes));
    if (rule == CounterRule::kMove) {
      CNAKE_RETURN_IF_ERROR(MoveBatchCounters(conn, batch_id, moved.completed, moved.failed));
    }
  }
  CNAKE_RETURN_IF_ERROR(conn.ExecuteWith(
      "DELETE FROM cnake_journal WHERE batch_id = ? AND seq <= ?", batch_id, up_to_seq));
  return txn.Commit();
}

namespace {

EntryChange ReadJournalRow(const db::DataChunk& c, std::size_t row) {
  EntryChange e;
  e.entry_id = std::string(c.GetString(1, row));
  const std::string_view kind = c.GetString(2, row);
  e.kind = kind == ChangeKindCode(ChangeKind::kCompleted) ? ChangeKind::kCompleted
           : kind == ChangeKindCode(ChangeKind::kFailed)  ? ChangeKind::kFailed
                                                          : ChangeKind::kNotFinal;
  e.state = ParseEntryState(c.GetString(3, row)).value_or(EntryState::kPending);
  e.submitted = !c.IsNull(4, row) && c.GetBool(4, row);
  e.request_id = c.IsNull(5, row) ? "" : std::string(c.GetString(5, row));
  e.clear_request_id = !c.IsNull(6, row) && c.GetBool(6, row);
  if (!c.IsNull(7, row)) e.submission_seq = c.GetInt32(7, row);
  e.attempts = c.IsNull(8, row) ? 0 : c.GetInt32(8, row);
  e.last_error = c.GetOptString(9, row);
  return e;
}

// A batch's journal rows, merged into one net change per entry.
struct BatchJournal {
  std::map<std::string, EntryChange> net;
  std::int64_t last_seq = 0;
  bool counted_at_commit = false;  // written by schema version 2
};

}  // namespace

Status ReplayJournal(db::Connection& conn, const TableNames& tables) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.Query("SELECT seq, entry_id, kind, state, submitted, request_id, clear_request_id, "
                 "CAST(submission_seq AS INTEGER), CAST(attempts AS INTEGER), last_error, "
                 "batch_id, moves_counters FROM cnake_journal ORDER BY seq"));
  std::map<std::string, BatchJournal> batches;
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      BatchJournal& b = batches[std::string(chunk->GetString(10, row))];
      b.last_seq = chunk->GetInt64(0, row);
      if (chunk->IsNull(11, row)) b.counted_at_commit = true;
      EntryChange e = ReadJournalRow(*chunk, row);
      auto [it, inserted] = b.net.try_emplace(e.entry_id, e);
      if (!inserted) MergeInto(it->second, e);
    }
  }
  for (auto& [batch_id, b] : batches) {
    std::vector<EntryChange> changes;
    changes.reserve(b.net.size());
    for (auto& [id, e] : b.net) changes.push_back(std::move(e));
    CNAKE_RETURN_IF_ERROR(
        FoldJournal(conn, tables, batch_id, changes, b.last_seq,
                    b.counted_at_commit ? CounterRule::kAlreadyMoved : CounterRule::kMove));
  }
  return Status::Ok();
}

}  // namespace cnake
