// The summary report: counts per state, success rate, wall time, throughput,
// API latency (percentiles and histogram), requests, attempts per entry,
// waits, and completions over time. Field names are documented in
// docs/reports.md and docs/schemas/summary.schema.json.
//
// The store aggregates (Queries); the document is small whatever the number
// of entries. Reads only. Thread safety: as the Queries passed in.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/performance.h"
#include "report/report_types.h"
#include "report/token_figures.h"
#include "store/queries.h"
#include "util/status.h"

namespace cnake::report {

struct SummaryDoc {
  ReportHeader header;
  std::vector<ReportBatchRow> batches;
  StateCounts entries;
  Performance performance;  // latency histogram over LatencyBoundsMs()
  RequestTotals requests;

  struct Attempts {
    std::optional<double> mean;
    std::optional<std::int64_t> max;
    std::vector<AttemptsRow> distribution;
  } attempts;

  // Summed over the batches that recorded them.
  struct Waits {
    std::optional<double> rate_limit_seconds, circuit_breaker_open_seconds;
    std::optional<std::string> reason;  // why some batches have none
  } waits;

  struct TimelineBucket {
    double offset_seconds = 0;
    std::int64_t completed = 0, failed = 0;
  };
  struct Timeline {
    std::optional<std::string> start;
    double bucket_seconds = 0;
    std::vector<TimelineBucket> buckets;
  } timeline;

  // The tokens the API reported (chat protocol) and the prices that cost
  // them: one batch's stored prices, else (and for every batch together)
  // the configured ones. nullopt when no request in scope reported usage
  // and no attempt was interrupted (every CnakeCharmer batch).
  struct Tokens {
    TokenTotalsRow totals;
    TokenPrices prices;
  };
  std::optional<Tokens> tokens;

  // completed / (completed + failed); nullopt when nothing finished.
  std::optional<double> success_rate() const;
  // Logged requests per finished entry: every request spends rate-limit
  // budget, so under a tight --rpm this is what throughput is.
  std::optional<double> requests_per_entry() const;
};

// Errors: kNotFound when scope.batch_id names no batch; the store's errors.
// `generated_at` is an ISO 8601 time written into the document as is;
// `prices` are the configured token prices.
Result<SummaryDoc> BuildSummary(Queries& queries, const Scope& scope,
                                const std::string& generated_at, const TokenPrices& prices = {});

// The JSON document (docs/schemas/summary.schema.json).
nlohmann::ordered_json SummaryJson(const SummaryDoc& doc);

// `waits.reason` when some batches have no waits recorded ({} of {} batches).
// A run records its waits when it ends; batches whose runs all ended
// abruptly, or that ran under an older client, have none.
inline constexpr const char* kWaitsUnrecorded =
    "not recorded for {} of {} batches: their runs ended abruptly (kill -9, power loss) or "
    "predate this client version; `resume` records the next run's waits";

}  // namespace cnake::report
