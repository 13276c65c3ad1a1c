// DuckDbQueries: the typed reads of store/queries.h over a DuckDB connection.
// Internal to src/store/duckdb; DuckDbStore hands it out. The reads for
// stats, status and export are in queries.cc, the report rows in
// report_queries.cc, the latency figures in latency_queries.cc.
#pragma once

#include "store/duckdb/duckdb.h"
#include "store/queries.h"
#include "store/request_summary.h"

namespace cnake {

class DuckDbQueries final : public Queries {
 public:
  // `conn` must outlive this; it is used from the caller's thread.
  DuckDbQueries(db::Connection& conn, TableNames tables)
      : conn_(conn), tables_(std::move(tables)) {}

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
  // The summary a completed batch keeps (store/request_summary.h); nullopt
  // when it has none, or it cannot be read (the rows decide then).
  std::optional<RequestSummary> StoredSummary(const std::string& batch_id);

  db::Connection& conn_;
  TableNames tables_;
};

}  // namespace cnake
