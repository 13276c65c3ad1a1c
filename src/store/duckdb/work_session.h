// DuckDbWorkSession: one runner's work on one batch of a DuckDB file, on its
// own connection (store/store.h).
//
// The file lock is the lease: only this process can open the file, so every
// unfinished entry of the batch is this runner's, leases never lapse, and
// Renew() has nothing to learn. Lease() pages through the batch with a
// keyset cursor, entries with a request_id first.
//
// Commits append the entry changes to the journal (journal.h) and fold them
// into the entries table every kFoldEvery entries and in Release(), so the
// entries table and the batch counters lag the journal by less than that
// while a run goes on
// (nobody else can read the file meanwhile; any later open replays what a
// crash left behind).
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/duckdb.h"
#include "store/duckdb/submission_log.h"
#include "store/local_runners.h"
#include "store/store.h"

namespace cnake {

class DuckDbWorkSession final : public WorkSession {
 public:
  // Entries changed between two folds.
  static constexpr std::size_t kFoldEvery = 4096;

  // `registration` keeps the runner among the store's live runners until
  // Release() or the end of the session.
  // `db_path`: the database file, beside which the submission log lives
  // (submission_log.h); empty for an in-memory database (no log, no
  // checkpoint).
  static Result<std::unique_ptr<WorkSession>> Open(db::Connection conn, const TableNames& tables,
                                                   const std::string& batch_id,
                                                   LocalRunners::Registration registration,
                                                   const std::string& db_path);

  Result<std::vector<Entry>> Lease(std::size_t limit) override;
  Result<bool> Drained() override { return cursor_.pass >= 2; }
  Status Commit(const WriteGroup& group) override;
  bool RecordsSubmissions() const override { return log_.has_value(); }
  Status RecordSubmissions(const std::vector<Submitted>& submissions) override {
    return log_->Append(batch_id_, submissions);
  }
  // Folds the journal and checkpoints the file: closing the database then
  // writes only what is committed after this. No checkpoint without room
  // for it (RoomToCheckpoint): the close does it then, as it always did.
  Status PrepareForRelease() override;
  Result<LeaseState> Renew() override { return LeaseState{}; }
  // Folds the journal into the entries table and leaves the live runners.
  Status Release() override {
    Status folded = Fold();
    if (log_) log_->RemoveIfEmpty();
    registration_.Release();
    return folded;
  }
  Result<BatchCounts> Counts() override;

 private:
  DuckDbWorkSession(db::Connection conn, TableNames tables, std::string batch_id, bool bytewise_ids,
                    std::int64_t next_seq, LocalRunners::Registration registration);
  CommitPlan Plan(const std::vector<EntryChange>& changes);
  Status Fold();

  db::Connection conn_;
  TableNames tables_;
  std::string batch_id_;
  bool bytewise_ids_;  // statements may filter by literal ids
  BatchCursor cursor_;
  std::int64_t next_seq_;
  // Leased entries that already have a result row (replaced on completion).
  std::unordered_set<std::string> with_results_;
  // Committed, not folded: the net change per entry.
  std::map<std::string, EntryChange> unfolded_;
  LocalRunners::Registration registration_;
  std::string db_path_;
  std::optional<SubmissionLog> log_;
};

// Whether a checkpoint may run now with `available` bytes free beside a file
// of `file_bytes` and a WAL of `wal_bytes`. A checkpoint writes the WAL's rows
// (and the columns updates touched) into the file before anything is freed;
// near a full disk it could fail where the WAL appends of a run's last
// commits would not, and a failed write stops this process's use of the file
// (write_fault.h). So: only with room for the file and its WAL once more.
bool RoomToCheckpoint(std::uintmax_t available, std::uintmax_t file_bytes,
                      std::uintmax_t wal_bytes);

}  // namespace cnake
