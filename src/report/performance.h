// The one definition of a batch's (or a report scope's) performance figures:
// API latency percentiles and throughput. The run summary, `status` and
// every report format take them from here, so they print the same numbers
// for one batch (docs/reports.md, "Figures"):
//
// - Latency: over every request in the request log of the scope (every
//   endpoint, every attempt, every run of the batch), p50/p90/p99 as SQL's
//   quantile_cont (store/latency_stats.h), plus count, mean and max.
// - Throughput: finished entries (completed + failed) divided by the wall
//   time, which is summed over the batches: completed_at (or, while running
//   or after a crash, the last update) minus started_at. A resumed batch's
//   wall time includes the pause between its runs.
//
// The live figures of a running batch (progress line, live `status`,
// /metrics) come from the engine's histogram instead and are estimates.
//
// Thread safety: as the Queries passed in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/queries.h"
#include "util/status.h"

namespace cnake::report {

struct Performance {
  LatencyRow latency;  // histogram over LatencyBoundsMs()
  std::int64_t finished = 0;
  double wall_time_seconds = 0;
  std::optional<double> entries_per_second;  // nullopt when the wall time is 0
};

// The histogram bounds (ms): the live /metrics histogram's.
const std::vector<double>& LatencyBoundsMs();

// The figures from rows already read.
Performance PerformanceOf(const std::vector<ReportBatchRow>& batches, const StateCounts& entries,
                          LatencyRow latency);

// Reads and computes the figures. Errors: kNotFound when scope.batch_id names
// no batch; the store's errors.
Result<Performance> ReadPerformance(Queries& queries, const ReportScope& scope);
// The same for one batch whose entry counts the caller has read
// (Store::CountBatch), so that the entries are not counted twice.
Result<Performance> ReadPerformance(Queries& queries, const std::string& batch_id,
                                    const BatchCounts& counts);

// The figures as every text format prints them: milliseconds with one
// decimal ("12.5"), entries per second with two ("3.25").
std::string FormatMs(double ms);
std::string FormatRate(double entries_per_second);

// kNotFound naming the batch, with what to do.
Status NoSuchBatch(const std::string& batch_id);

}  // namespace cnake::report
