#include "report/performance.h"

#include <fmt/format.h>

#include "engine/snapshot.h"

namespace cnake::report {

const std::vector<double>& LatencyBoundsMs() { return engine::LatencyHistogram::BoundsList(); }

Performance PerformanceOf(const std::vector<ReportBatchRow>& batches, const StateCounts& entries,
                          LatencyRow latency) {
  Performance p;
  p.latency = std::move(latency);
  p.finished = entries.finished();
  for (const ReportBatchRow& b : batches) p.wall_time_seconds += b.wall_time_seconds;
  if (p.wall_time_seconds > 0) {
    p.entries_per_second = static_cast<double>(p.finished) / p.wall_time_seconds;
  }
  return p;
}

Result<Performance> ReadPerformance(Queries& queries, const ReportScope& scope) {
  CNAKE_ASSIGN_OR_RETURN(std::vector<ReportBatchRow> batches, queries.ReportBatches(scope));
  if (scope.batch_id && batches.empty()) return NoSuchBatch(*scope.batch_id);
  CNAKE_ASSIGN_OR_RETURN(StateCounts entries, queries.EntryStates(scope));
  CNAKE_ASSIGN_OR_RETURN(LatencyRow latency, queries.Latency(scope, LatencyBoundsMs()));
  return PerformanceOf(batches, entries, std::move(latency));
}

Result<Performance> ReadPerformance(Queries& queries, const std::string& batch_id,
                                    const BatchCounts& counts) {
  const ReportScope scope{batch_id};
  CNAKE_ASSIGN_OR_RETURN(std::vector<ReportBatchRow> batches, queries.ReportBatches(scope));
  if (batches.empty()) return NoSuchBatch(batch_id);
  StateCounts entries;
  for (EntryState state : kAllEntryStates) entries.by_state[state] = counts.Of(state);
  CNAKE_ASSIGN_OR_RETURN(LatencyRow latency, queries.Latency(scope, LatencyBoundsMs()));
  return PerformanceOf(batches, entries, std::move(latency));
}

std::string FormatMs(double ms) { return fmt::format("{:.1f}", ms); }
std::string FormatRate(double entries_per_second) {
  return fmt::format("{:.2f}", entries_per_second);
}

Status NoSuchBatch(const std::string& batch_id) {
  return NotFound("no batch " + batch_id + "; `stats` lists the batches");
}

}  // namespace cnake::report
