// Small helpers shared by the report builders: running a scoped query and
// reading its rows. Internal to src/report.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "report/report_types.h"
#include "store/duckdb/duckdb.h"
#include "util/status.h"

namespace cnake::report {

// Runs `sql` with $1 bound to the scope's batch id (or NULL) and calls
// `row(chunk, index)` for every row, in order.
Status ForEachRow(db::Connection& conn, const std::string& sql, const Scope& scope,
                  const std::function<void(const db::DataChunk&, std::size_t)>& row);

// kNotFound when the scope names a batch that batch_jobs does not have.
Status CheckBatchExists(db::Connection& conn, const Scope& scope);

// SQL text producing the ISO 8601 UTC string of util/time_format.h from a
// TIMESTAMP expression (stored times are UTC), NULL when it is NULL.
std::string IsoTime(const std::string& expr);

// The quoted entries and results table names.
std::string EntriesTable(const Scope& scope);
std::string ResultsTable(const Scope& scope);

}  // namespace cnake::report
