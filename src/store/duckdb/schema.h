// The database schema and its idempotent migration.
//
// Tables (docs/schema.md): the entries table (default cython_entries), the
// results table (default python_entries), batch_jobs, processing_errors, and
// the client's own api_requests log and cnake_meta (schema version).
//
// Migrate() adds missing tables and columns to a database that another tool
// created, never drops or rewrites user data, refuses columns of an
// incompatible type (StatusCode::kSchemaMismatch naming table, column, found
// and expected type), records the schema version and checkpoints. It runs in
// one transaction: on error the database is left as it was.
#pragma once

#include <string>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/types.h"
#include "util/status.h"

namespace cnake {

// 2: the cnake_journal table; cython_entries.key_batch_id (adoption keeps an
// entry's Idempotency-Key; a client that does not know it must not run a
// batch of this database); api_requests.prompt_tokens and completion_tokens
// (the chat protocol's usage; an older client's appender would not fill
// them). One version for all three: no client with a version 2 of its own
// was released, and the version is only a guard against older clients;
// Migrate adds whatever table or column is missing by its presence.
// 3: the batch counters move when the journal is folded, not at commit
// (cnake_journal.moves_counters, journal.h); a version 2 client would replay
// such a journal without moving them.
inline constexpr int kSchemaVersion = 3;

struct ColumnSpec {
  std::string name;
  std::string type;                     // type used when the column is created
  std::vector<std::string> compatible;  // accepted existing types (upper case)
  std::string default_expr;             // DEFAULT clause, also used when adding the column
  std::string create_constraint;        // only when the table is created: "PRIMARY KEY", "NOT NULL"
  bool required_in_foreign = false;     // a foreign table without it is refused
};

struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
};

std::vector<TableSpec> SchemaTables(const TableNames& names);

Result<MigrationReport> Migrate(db::Connection& conn, const TableNames& names);

}  // namespace cnake
