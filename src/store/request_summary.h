// A completed batch's request-log figures, kept with its batch record.
//
// Why: `status` and the reports of a 1,000,000-entry batch would otherwise
// scan its 1,000,000+ request-log rows three or four times (totals and
// histogram, quantile narrowing, candidates, tokens) on every call, although
// a completed batch's request log never changes again: its entries are all
// finished and every request is logged in the commit that finished its entry.
// The run that completes a batch writes the summary with the status
// (BatchUpdate::request_summary); a store's Latency and TokenTotals for that
// one batch then return it instead of scanning. Any later status change
// clears it, so figures of a batch that is running again come from its rows.
//
// The summary is a cache of what the store would compute: the same function
// (store/latency_stats.h) made it, so every reader prints the same figures
// with or without it.
//
// Pure functions except SummarizeRequests; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/queries.h"

namespace cnake {

struct RequestSummary {
  std::vector<double> bounds_ms;  // the bounds latency.histogram was counted over
  LatencyRow latency;
  TokenTotalsRow tokens;
};

// JSON text for batch_jobs.request_summary (versioned: "v" 1).
std::string RequestSummaryJson(const RequestSummary& summary);
// nullopt when `json` is not a summary this version wrote.
std::optional<RequestSummary> ParseRequestSummary(std::string_view json);

// Reads the figures of one batch's request log through `queries`.
Result<RequestSummary> SummarizeRequests(Queries& queries, const std::string& batch_id,
                                         const std::vector<double>& bounds_ms);

}  // namespace cnake
