// The typed reads of store/queries.h over a MemoryStore: a straightforward
// computation over its data, under its mutex (the report rows in
// memory_report_queries.cc). Internal to src/store/memory.
#pragma once

#include "store/memory/memory_store.h"
#include "store/queries.h"

namespace cnake {

// Wall-clock times as the DuckDB store writes them (util/time_format.h):
// "2026-01-01T10:00:00.000Z".
std::string IsoMillis(SystemTimePoint t);
std::int64_t EpochMs(SystemTimePoint t);

class MemoryQueries final : public Queries {
 public:
  explicit MemoryQueries(MemoryStore& store) : store_(store) {}

  Result<Statistics> GetStatistics() override;
  Result<std::vector<std::string>> RecentErrors(const std::string& batch_id,
                                                std::size_t limit) override;
  Result<std::vector<RequestOutcomeRow>> RecentOutcomes(const std::string& batch_id,
                                                        std::size_t limit) override;
  Result<TokenTotalsRow> TokenTotals(const std::string& batch_id) override;
  Result<std::optional<nlohmann::json>> LatestBatchOptions(const std::string& batch_id) override;
  Status ForEachResult(const std::function<Status(const ResultRow&)>& row) override;
  Result<std::int64_t> ExportParquet(const std::string& path) override;

  Result<std::vector<ReportBatchRow>> ReportBatches(const ReportScope& scope) override;
  Result<StateCounts> EntryStates(const ReportScope& scope) override;
  Result<RequestTotals> CountRequests(const ReportScope& scope) override;
  Result<LatencyRow> Latency(const ReportScope& scope,
                             const std::vector<double>& bounds_ms) override;
  Result<std::vector<AttemptsRow>> AttemptsPerEntry(const ReportScope& scope) override;
  Result<FinishSpan> Finishes(const ReportScope& scope) override;
  Result<std::vector<FinishBucketRow>> FinishesPerBucket(const ReportScope& scope,
                                                         double start_epoch_ms,
                                                         double width_seconds) override;
  Status ForEachFailure(const ReportScope& scope,
                        const std::function<Status(const FailureRow&)>& row) override;
  Result<std::vector<RequestErrorRow>> RequestErrors(const ReportScope& scope) override;
  Status ForEachEntryDetail(const ReportScope& scope,
                            const std::function<Status(const EntryDetailRow&)>& row) override;

 private:
  using Row = MemoryStore::Row;
  std::vector<std::pair<std::int64_t, bool>> FinishEventsLocked(const ReportScope& scope) const;
  EntryDetailRow DetailLocked(const ReportScope& scope, const Row& row) const;

  MemoryStore& store_;
};

}  // namespace cnake
