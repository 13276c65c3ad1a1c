// The batch's SQL on PostgreSQL: claims, the entry and batch row readers,
// counts, and committing a write group. Internal to src/store/postgres;
// PostgresStore and PostgresWorkSession call these.
//
// Invariants (store/store.h): an entry belongs to at most one batch; a group
// commits atomically and moves the batch counters by exactly the entries it
// made final (each UPDATE re-checks the entry under its row lock, so two
// runners never finish one entry twice and the counters stay exact under
// concurrent commits); only entries the committing runner holds, or that
// nobody holds, change.
//
// Thread safety: each function uses the connection it is given.
#pragma once

#include <string>
#include <vector>

#include "store/postgres/pg.h"
#include "store/types.h"

namespace cnake::pg {

// The SELECT list ReadEntry() reads, over an entries table aliased `alias`.
std::string EntryColumns(const std::string& alias);
Entry ReadEntry(const QueryResult& r, int row);

// The SELECT list ReadBatch() reads from batch_jobs (aliased `alias`, if
// any): kBatchColumnCount columns.
std::string BatchColumns(const std::string& alias = "");
inline constexpr int kBatchColumnCount = 10;
BatchRecord ReadBatch(const QueryResult& r, int row);

// SQL condition: the entry (column prefix `alias.`) is neither completed nor failed.
std::string UnfinishedSql(const std::string& alias);

// Marks up to options.limit candidates as the batch's (in the caller's
// transaction) and records the total. Returns how many were claimed.
Result<std::int64_t> ClaimInTransaction(Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options);
Result<ClaimPreview> PreviewClaim(Connection& conn, const TableNames& tables,
                                  const ClaimOptions& options);

Result<BatchCounts> CountBatch(Connection& conn, const TableNames& tables,
                               const std::string& batch_id);

// Applies `group` for runner `runner` in the caller's transaction.
Status ApplyGroup(Connection& conn, const TableNames& tables, const std::string& batch_id,
                  const std::string& runner, const WriteGroup& group);

}  // namespace cnake::pg
