// The typed reads of store/queries.h over a MemoryStore. Internal to
// src/store/memory.
#pragma once

#include "store/memory/memory_store.h"
#include "store/queries.h"

namespace cnake {

class MemoryQueries final : public Queries {
 public:
  explicit MemoryQueries(MemoryStore& store) : store_(store) {}

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
  MemoryStore& store_;
};

}  // namespace cnake
