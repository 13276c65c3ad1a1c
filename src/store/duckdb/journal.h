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
// The batch counters move with the entries table, in the fold's transaction,
// by the entries the fold makes final: they always equal a recount of the
// entries table, and a commit touches no table it would UPDATE (an UPDATE
// of the one batch_jobs row cost about as much as appending the group's
// results: docs/benchmarks.md).
//
// Contract: journal rows are applied in `seq` order; a fold applies and
// deletes a batch's rows up to a seq and moves its counters in one
// transaction, so a crash leaves each row either applied and gone or still
// in the journal (applying a row twice is harmless: its values are absolute
// and final entries never move back).
//
// Rows written by schema version 2 (moves_counters NULL) were counted when
// committed; a replay folds them without moving the counters again. The
// client replays at every read-write open, before anything is appended, so
// a journal never holds rows of both kinds.
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
enum class CounterRule { kMove, kAlreadyMoved };
// In one transaction: applies `changes` (the net effect of batch_id's
// journal rows up to `up_to_seq`) to the entries table, moves the batch
// counters by the entries it made final (unless kAlreadyMoved) and deletes
// those rows.
Status FoldJournal(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                   const std::vector<EntryChange>& changes, std::int64_t up_to_seq,
                   CounterRule rule = CounterRule::kMove);
// Folds whatever the journal holds (a run that ended without folding).
Status ReplayJournal(db::Connection& conn, const TableNames& tables);

}  // namespace cnake
