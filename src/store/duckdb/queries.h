// DuckDbQueries: the typed reads of store/queries.h over a DuckDB connection.
// Internal to src/store/duckdb; DuckDbStore hands it out.
#pragma once

#include "store/duckdb/duckdb.h"
#include "store/queries.h"

namespace cnake {

class DuckDbQueries final : public Queries {
 public:
  // `conn` must outlive this; it is used from the caller's thread.
  DuckDbQueries(db::Connection& conn, TableNames tables)
      : conn_(conn), tables_(std::move(tables)) {}

  Result<Statistics> GetStatistics() override;
  Result<RequestLatencyRow> BatchLatency(const std::string& batch_id) override;
  Result<std::vector<std::string>> RecentErrors(const std::string& batch_id,
                                                std::size_t limit) override;
  Result<std::vector<RequestOutcomeRow>> RecentOutcomes(const std::string& batch_id,
                                                        std::size_t limit) override;
  Result<TokenTotalsRow> TokenTotals(const std::string& batch_id) override;
  Result<std::optional<nlohmann::json>> LatestBatchOptions(const std::string& batch_id) override;
  Status ForEachResult(const std::function<Status(const ResultRow&)>& row) override;
  Result<std::int64_t> ExportParquet(const std::string& path) override;

 private:
  db::Connection& conn_;
  TableNames tables_;
};

}  // namespace cnake
