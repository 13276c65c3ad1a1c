// PostgresQueries: the typed reads of store/queries.h on PostgreSQL.
// Internal to src/store/postgres; PostgresStore hands it out.
#pragma once

#include "store/postgres/postgres_store.h"
#include "store/queries.h"
#include "store/request_summary.h"

namespace cnake {

class PostgresQueries final : public Queries {
 public:
  // `store` must outlive this; its connection is used from the caller's thread.
  PostgresQueries(PostgresStore& store, TableNames tables)
      : store_(store), tables_(std::move(tables)) {}

  Result<Statistics> GetStatistics() override;
  Result<std::vector<std::string>> RecentErrors(const std::string& batch_id,
                                                std::size_t limit) override;
  Result<std::vector<RequestOutcomeRow>> RecentOutcomes(const std::string& batch_id,
                                                        std::size_t limit) override;
  Result<TokenTotalsRow> TokenTotals(const std::string& batch_id) override;
  Result<std::optional<nlohmann::json>> LatestBatchOptions(const std::string& batch_id) override;
  Status ForEachResult(const std::function<Status(const ResultRow&)>& row) override;
  // kInvalidArgument: Parquet is written by DuckDB (export --format duckdb,
  // then export the Parquet file from that).
  Result<std::int64_t> ExportParquet(const std::string& path) override;

  // The report rows (pg_report_queries.cc).
  Result<std::vector<ReportBatchRow>> ReportBatches(const ReportScope& scope) override;
  Result<StateCounts> EntryStates(const ReportScope& scope) override;
  Result<RequestTotals> CountRequests(const ReportScope& scope) override;
  // The quantiles are store/latency_stats.h's, from the ranks one sorted
  // pass on the server finds (percentile_disc): no latency list in this process.
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

  PostgresStore& store_;
  TableNames tables_;
};

}  // namespace cnake
