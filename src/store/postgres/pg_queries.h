// PostgresQueries: the typed reads of store/queries.h on PostgreSQL.
// Internal to src/store/postgres; PostgresStore hands it out.
#pragma once

#include "store/postgres/postgres_store.h"
#include "store/queries.h"

namespace cnake {

class PostgresQueries final : public Queries {
 public:
  // `store` must outlive this; its connection is used from the caller's thread.
  PostgresQueries(PostgresStore& store, TableNames tables)
      : store_(store), tables_(std::move(tables)) {}

  Result<Statistics> GetStatistics() override;
  Result<RequestLatencyRow> BatchLatency(const std::string& batch_id) override;
  Result<std::vector<std::string>> RecentErrors(const std::string& batch_id,
                                                std::size_t limit) override;
  Result<std::vector<RequestOutcomeRow>> RecentOutcomes(const std::string& batch_id,
                                                        std::size_t limit) override;
  Result<std::optional<nlohmann::json>> LatestBatchOptions(const std::string& batch_id) override;
  Status ForEachResult(const std::function<Status(const ResultRow&)>& row) override;
  // kInvalidArgument: Parquet is written by DuckDB (export --format duckdb,
  // then export the Parquet file from that).
  Result<std::int64_t> ExportParquet(const std::string& path) override;

 private:
  PostgresStore& store_;
  TableNames tables_;
};

}  // namespace cnake
