// Work that stopped batches hold, on DuckDB: listing the batches that own
// unfinished entries, and moving such entries into a new batch (adoption).
// Internal to src/store/duckdb; DuckDbStore calls these.
//
// Invariants (store/store.h): an entry belongs to one batch; an adopted
// entry keeps its state, request_id (polled, never posted again), attempts
// and submission, and remembers the batch its Idempotency-Key comes from
// (key_batch_id); the old batch's total drops by the entries it gave up, so
// its counters still equal a recount of its entries.
//
// Thread safety: each function uses the connection it is given.
#pragma once

#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/types.h"

namespace cnake {

// Moves up to options.limit unfinished entries of the batches in
// options.adopt_from (matching options.filter) into `batch_id`, in the
// caller's transaction, and recounts each old batch's total_entries.
// Returns how many moved.
Result<std::int64_t> AdoptInTransaction(db::Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options);

// Store::UnfinishedWork.
Result<std::vector<BatchWork>> UnfinishedWorkSql(db::Connection& conn, const TableNames& tables,
                                                 const EntryFilter& filter);

}  // namespace cnake
