// DuckDbWorkSession: one runner's work on one batch of a DuckDB file, on its
// own connection (store/store.h).
//
// The file lock is the lease: only this process can open the file, so every
// unfinished entry of the batch is this runner's, leases never lapse, and
// Renew() has nothing to learn. Lease() pages through the batch with a
// keyset cursor, entries with a request_id first.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/duckdb.h"
#include "store/local_runners.h"
#include "store/store.h"

namespace cnake {

class DuckDbWorkSession final : public WorkSession {
 public:
  // `registration` keeps the runner among the store's live runners until
  // Release() or the end of the session.
  static Result<std::unique_ptr<WorkSession>> Open(db::Connection conn, const TableNames& tables,
                                                   const std::string& batch_id,
                                                   LocalRunners::Registration registration);

  Result<std::vector<Entry>> Lease(std::size_t limit) override;
  Result<bool> Drained() override { return cursor_.pass >= 2; }
  Status Commit(const WriteGroup& group) override;
  Result<LeaseState> Renew() override { return LeaseState{}; }
  Status Release() override {
    registration_.Release();
    return Status::Ok();
  }
  Result<BatchCounts> Counts() override;

 private:
  DuckDbWorkSession(db::Connection conn, TableNames tables, std::string batch_id, bool bytewise_ids,
                    LocalRunners::Registration registration);

  db::Connection conn_;
  TableNames tables_;
  std::string batch_id_;
  bool bytewise_ids_;  // CommitGroup may filter by literal ids
  BatchCursor cursor_;
  LocalRunners::Registration registration_;
};

}  // namespace cnake
