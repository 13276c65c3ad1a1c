// The summary report: counts per state, success rate, wall time, throughput,
// API latency (percentiles and histogram), attempts per entry, 429s, and
// completions over time. Field names are documented in docs/reports.md and
// docs/schemas/summary.schema.json.
//
// All aggregation runs in DuckDB; the result is small (independent of the
// number of entries). Reads only; the connection must not be used by another
// thread meanwhile.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "report/report_types.h"
#include "store/duckdb.h"
#include "util/status.h"

namespace cnake::report {

// Errors: kNotFound when scope.batch_id names no batch; kDatabase.
// `generated_at` is an ISO 8601 time written into the document as is.
Result<nlohmann::ordered_json> BuildSummary(db::Connection& conn, const Scope& scope,
                                            const std::string& generated_at);

// Why the rate-limit and circuit-breaker waits are null in the summary.
inline constexpr const char* kWaitsUnavailable =
    "not recorded: the engine keeps these waits in memory only (see the live /status and "
    "/metrics of a running batch); they are not persisted in the database";

}  // namespace cnake::report
