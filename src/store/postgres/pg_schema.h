// The schema on PostgreSQL and its idempotent migration.
//
// The tables and columns are the DuckDB store's (store/duckdb/schema.h:
// SchemaTables), their types mapped to PostgreSQL's (VARCHAR -> text, JSON
// -> json, which keeps the text as written, DOUBLE -> double precision,
// TIMESTAMP -> timestamptz), so a column added there exists here too. On top
// of them the shared queue needs:
// - entries.lease_owner: the runner holding the entry (NULL: nobody);
// - cnake_runners: one row per runner of a batch, with its heartbeat and
//   lease expiry, rate share bookkeeping and last commit (docs/scale-out.md);
// - indexes for leasing, counting and the reports.
//
// Migrate() runs in one transaction under an advisory lock, so runners that
// start together do not race on CREATE TABLE; it never drops or rewrites user
// data and refuses columns of an incompatible type (kSchemaMismatch).
#pragma once

#include "store/postgres/pg.h"
#include "store/types.h"

namespace cnake::pg {

// The runner registry's table (fixed name, like batch_jobs).
inline constexpr const char* kRunnersTable = "cnake_runners";

Result<MigrationReport> Migrate(Connection& conn, const TableNames& names);

// Whether the schema exists at all (read-only callers check before reading).
Result<bool> SchemaExists(Connection& conn, const TableNames& names);

}  // namespace cnake::pg
