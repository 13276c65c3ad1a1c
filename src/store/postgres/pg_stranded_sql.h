// Work that stopped batches hold, on PostgreSQL: listing the batches that own
// unfinished entries, and moving such entries into a new batch (adoption).
// Internal to src/store/postgres; PostgresStore calls these.
//
// Invariants (store/store.h, as store/duckdb/stranded_sql.h): an entry
// belongs to one batch; an adopted entry keeps its state, request_id (polled,
// never posted again), attempts and submission, and remembers the batch its
// Idempotency-Key comes from (key_batch_id); the old batch's total drops by
// the entries it gave up. Shared-database additions: an entry a live runner
// still leases is not adopted (its runner may be about to commit it), and the
// rows are taken with FOR UPDATE SKIP LOCKED, so an adoption never waits for
// a runner's commit nor moves an entry in the middle of one.
//
// Thread safety: each function uses the connection it is given.
#pragma once

#include <vector>

#include "store/postgres/pg.h"
#include "store/types.h"

namespace cnake::pg {

// Moves up to options.limit unfinished entries of the batches in
// options.adopt_from (matching options.filter) into `batch_id`, in the
// caller's transaction, and recounts each old batch's total_entries.
// Returns how many moved.
Result<std::int64_t> AdoptInTransaction(Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options);

// Store::UnfinishedWork.
Result<std::vector<BatchWork>> UnfinishedWork(Connection& conn, const TableNames& tables,
                                              const EntryFilter& filter);

}  // namespace cnake::pg
