// Applying folded entry changes (store/entry_change.h) to the entries table.
//
// The changes are staged in a temp table with an appender and applied by one
// UPDATE joined with it. Only unfinished entries change, so a final entry is
// never moved back. Internal to src/store/duckdb; runs in the caller's
// transaction.
//
// Why one join per fold: the journal (journal.h) folds every few thousand
// entries, so the join's cost (one scan of the id column, and ~17 buffer
// handles DuckDB's eviction queue keeps per hash join: docs/reliability.md,
// promise 6) is paid a few hundred times in a 1,000,000-entry run. The
// literal-id UPDATEs this replaced avoided the join but carried a CASE
// branch per entry and scanned the table once per 256 entries: they were
// half the store's CPU per entry (docs/benchmarks.md).
#pragma once

#include <string>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/entry_change.h"

namespace cnake {

// Entries a fold took from unfinished to completed / failed: the batch
// counters move by these.
struct FinalMoves {
  std::int64_t completed = 0, failed = 0;
};

// `entries` is the quoted entries table. Returns what the changes made final,
// counted by the same join, before the UPDATE: rows, so an id that several
// rows of a foreign table share counts once per row, as a recount would.
Result<FinalMoves> ApplyEntryChanges(db::Connection& conn, const std::string& entries,
                                     const std::vector<EntryChange>& changes);

}  // namespace cnake
