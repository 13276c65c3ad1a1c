// The entry journal: how a DuckDB commit makes entry changes durable without
// updating the entries table, and how they reach it later in bulk.
//
// Why: a DuckDB UPDATE costs about a millisecond per statement whatever the
// number of rows (it scans the id column of every row group the ids fall
// in), while an append costs microseconds a row. The engine commits often
// (a request_id must be durable before its job is polled, and the first poll
// follows the POST by tens of milliseconds), so each commit appends the
// group's folded entry changes to cnake_journal; the session folds them into
// the entries table every few thousand entries and when it ends (one UPDATE
// joined with the staged changes, apply.h; an entry submitted and finished in
// between is updated once). A run that never folds (kill -9) leaves its
// journal behind: the next read-write open replays it before anything reads
// the entries table.
//
// Contract: journal rows are applied in `seq` order; a fold applies and
// deletes rows up to a seq in one transaction, so a crash leaves each row
// either applied and gone or still in the journal (applying a row twice is
// harmless: its values are absolute and final entries never move back).
//
// Internal to src/store/duckdb.
#pragma once

#include <string>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/entry_change.h"

namespace cnake {

// The seq after the highest in the journal (1 when empty).
Result<std::int64_t> NextJournalSeq(db::Connection& conn);
// Appends `changes` with seqs from `first_seq` on, in the caller's transaction.
Status AppendJournal(db::Connection& conn, const std::string& batch_id,
                     const std::vector<EntryChange>& changes, std::int64_t first_seq);
// In one transaction: applies `changes` (the net effect of the journal rows
// up to `up_to_seq`) to the entries table and deletes those rows.
Status FoldJournal(db::Connection& conn, const TableNames& tables,
                   const std::vector<EntryChange>& changes, std::int64_t up_to_seq);
// Folds whatever the journal holds (a run that ended without folding).
Status ReplayJournal(db::Connection& conn, const TableNames& tables);

}  // namespace cnake
