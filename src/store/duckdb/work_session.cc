#include "store/duckdb/work_session.h"

#include <algorithm>
#include <filesystem>

#include "store/duckdb/entry_changes.h"
#include "store/duckdb/journal.h"
#include "store/duckdb/result_rows.h"

namespace cnake {

Result<std::unique_ptr<WorkSession>> DuckDbWorkSession::Open(
    db::Connection conn, const TableNames& tables, const std::string& batch_id,
    LocalRunners::Registration registration, const std::string& db_path) {
  CNAKE_ASSIGN_OR_RETURN(const bool bytewise, IdsCompareBytewise(conn, tables));
  // A run's statements are small: DuckDB's second thread only added memory
  // (127 vs 141 MiB peak RSS at 100,000 entries, same speed;
  // docs/reliability.md, promise 6). The claim before this keeps two: with
  // one, a claim of 1,000,000 entries ran out of the default memory_limit.
  // The setting is the database's, so it holds for every connection.
  CNAKE_RETURN_IF_ERROR(conn.Execute("SET threads = 1"));
  CNAKE_RETURN_IF_ERROR(ReplayJournal(conn, tables));
  CNAKE_ASSIGN_OR_RETURN(const std::int64_t next_seq, NextJournalSeq(conn));
  std::unique_ptr<DuckDbWorkSession> session(new DuckDbWorkSession(
      std::move(conn), tables, batch_id, bytewise, next_seq, std::move(registration)));
  session->db_path_ = db_path;
  if (!db_path.empty()) {
    CNAKE_ASSIGN_OR_RETURN(session->log_, SubmissionLog::Open(SubmissionLog::PathFor(db_path)));
  }
  return std::unique_ptr<WorkSession>(std::move(session));
}

DuckDbWorkSession::DuckDbWorkSession(db::Connection conn, TableNames tables, std::string batch_id,
                                     bool bytewise_ids, std::int64_t next_seq,
                                     LocalRunners::Registration registration)
    : conn_(std::move(conn)),
      tables_(std::move(tables)),
      batch_id_(std::move(batch_id)),
      bytewise_ids_(bytewise_ids),
      next_seq_(next_seq),
      registration_(std::move(registration)) {}

Result<std::vector<Entry>> DuckDbWorkSession::Lease(std::size_t limit) {
  CNAKE_ASSIGN_OR_RETURN(std::vector<Entry> page,
                         LoadUnfinished(conn_, tables_, batch_id_, cursor_, limit));
  std::vector<std::string> ids;
  ids.reserve(page.size());
  for (const Entry& e : page) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  CNAKE_ASSIGN_OR_RETURN(auto with_results, EntriesWithResults(conn_, tables_, ids, bytewise_ids_));
  with_results_.merge(with_results);
  return page;
}

// A completion replaces the result row its entry had when leased; the
// session forgets that row once the entry is final, so a late second
// completion of the same entry (which the fold ignores) deletes nothing.
CommitPlan DuckDbWorkSession::Plan(const std::vector<EntryChange>& changes) {
  CommitPlan plan;
  plan.first_seq = next_seq_;
  plan.bytewise_ids = bytewise_ids_;
  for (const EntryChange& e : changes) {
    if (e.kind == ChangeKind::kCompleted && with_results_.count(e.entry_id)) {
      plan.replace_results.push_back(e.entry_id);
    }
  }
  return plan;
}

Status DuckDbWorkSession::Commit(const WriteGroup& group) {
  if (group.empty()) return Status::Ok();
  const std::vector<EntryChange> changes = ::cnake::Fold(group);
  const CommitPlan plan = Plan(changes);
  CNAKE_RETURN_IF_ERROR(CommitChanges(conn_, tables_, batch_id_, group, changes, plan));
  // Every submission recorded so far is in this commit or an earlier one.
  if (log_) CNAKE_RETURN_IF_ERROR(log_->Clear());
  next_seq_ += static_cast<std::int64_t>(changes.size());
  for (const EntryChange& e : changes) {
    if (e.kind != ChangeKind::kNotFinal) with_results_.erase(e.entry_id);
    auto [it, inserted] = unfolded_.try_emplace(e.entry_id, e);
    if (inserted) {
      it->second.completion = nullptr;  // the group dies after this call
      it->second.failure = nullptr;
    } else {
      MergeInto(it->second, e);
    }
  }
  return unfolded_.size() >= kFoldEvery ? Fold() : Status::Ok();
}

Status DuckDbWorkSession::Fold() {
  if (unfolded_.empty()) return Status::Ok();
  std::vector<EntryChange> changes;
  changes.reserve(unfolded_.size());
  for (auto& [id, e] : unfolded_) changes.push_back(std::move(e));
  CNAKE_RETURN_IF_ERROR(FoldJournal(conn_, tables_, batch_id_, changes, next_seq_ - 1));
  unfolded_.clear();
  return Status::Ok();
}

bool RoomToCheckpoint(std::uintmax_t available, std::uintmax_t file_bytes,
                      std::uintmax_t wal_bytes) {
  return available > file_bytes + wal_bytes;
}

Status DuckDbWorkSession::PrepareForRelease() {
  CNAKE_RETURN_IF_ERROR(Fold());
  if (db_path_.empty()) return Status::Ok();
  std::error_code e1, e2, e3;
  const auto space = std::filesystem::space(std::filesystem::absolute(db_path_).parent_path(), e1);
  const auto file = std::filesystem::file_size(db_path_, e2);
  const auto wal = std::filesystem::file_size(db_path_ + ".wal", e3);
  if (e1 || e2 || !RoomToCheckpoint(space.available, file, e3 ? 0 : wal)) return Status::Ok();
  // Plain CHECKPOINT: fails rather than waits while another connection of
  // this process has a transaction open (a read for `status`' live view).
  return conn_.Execute("CHECKPOINT");
}

Result<BatchCounts> DuckDbWorkSession::Counts() {
  CNAKE_RETURN_IF_ERROR(Fold());
  return CountBatchSql(conn_, tables_, batch_id_);
}

}  // namespace cnake
