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
#include "store/duckdb/duckdb.h"
#include "util/status.h"

namespace cnake::report {

// Errors: kNotFound when scope.batch_id names no batch; kDatabase.
// `generated_at` is an ISO 8601 time written into the document as is.
Result<nlohmann::ordered_json> BuildSummary(db::Connection& conn, const Scope& scope,
                                            const std::string& generated_at);

// `waits.reason` when some batches have no waits recorded ({} of {} batches).
// A run records its waits when it ends; batches whose runs all ended
// abruptly, or that ran under an older client, have none.
inline constexpr const char* kWaitsUnrecorded =
    "not recorded for {} of {} batches: their runs ended abruptly (kill -9, power loss) or "
    "predate this client version; `resume` records the next run's waits";

}  // namespace cnake::report
