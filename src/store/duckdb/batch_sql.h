// The batch's SQL on DuckDB: claiming entries, reading a batch's unfinished
// entries, counting them, and committing a group of changes. Internal to
// src/store/duckdb; DuckDbStore and DuckDbWorkSession call these.
//
// Invariants (store/store.h): an entry belongs to at most one batch; a
// committed request_id is polled, never posted again; a group commits
// atomically; the batch counters move with the entries table when the
// journal is folded (journal.h), so they always equal a recount of the
// entries' states.
//
// Thread safety: each function uses the connection it is given; one thread
// per connection.
#pragma once

#include <string>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/entry_change.h"
#include "store/types.h"

namespace cnake {

// The SQL condition of an EntryFilter on the entries table; parameters: the
// id prefix twice, then the tag twice.
const char* EntryFilterSql();

// Marks up to options.limit candidates as the batch's and sets its total, in
// the caller's transaction. Returns how many were claimed.
Result<std::int64_t> ClaimInTransaction(db::Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options);
Result<ClaimPreview> PreviewClaimSql(db::Connection& conn, const TableNames& tables,
                                     const ClaimOptions& options);

// Entries of the batch not yet completed or failed, ordered so that those with
// a stored request_id come first, then by id; keyset pagination on
// (has_request, id).
struct BatchCursor {
  int pass = 0;  // 0: entries with a request_id, 1: the others, 2: done
  std::string after_id;
};
Result<std::vector<Entry>> LoadUnfinished(db::Connection& conn, const TableNames& tables,
                                          const std::string& batch_id, BatchCursor& cursor,
                                          std::size_t limit);

// What a commit needs to know beside the group.
struct CommitPlan {
  std::int64_t first_seq = 1;  // the journal seq of the first change
  // Completions whose entries already have a result row to replace.
  std::vector<std::string_view> replace_results;
  // The tables' ids compare byte by byte (IdsCompareBytewise in
  // entry_changes.h), so statements can filter by literal ids and bounds
  // instead of joins; false is always correct.
  bool bytewise_ids = false;
};

// Commits a group in one transaction: its folded entry changes go to the
// journal (journal.h), its results, failures and request log to their
// tables; the batch counters move when the journal is folded. On error
// nothing of the group is committed.
Status CommitChanges(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                     const WriteGroup& group, const std::vector<EntryChange>& changes,
                     const CommitPlan& plan);

// CommitChanges followed at once by the fold, with the plan read from the
// database: for tools and tests that commit one group at a time.
Status CommitGroup(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                   const WriteGroup& group, bool bytewise_ids);

Result<BatchCounts> CountBatchSql(db::Connection& conn, const TableNames& tables,
                                  const std::string& batch_id);

// The SELECT list ReadBatchRow() reads from batch_jobs.
const std::string& BatchSelectList();
BatchRecord ReadBatchRow(const db::DataChunk& chunk, std::size_t row);

}  // namespace cnake
