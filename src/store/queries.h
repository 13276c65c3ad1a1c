// Typed reads behind `stats`, `status`, `export`, the run summary's hints and
// the reports. Each returns plain rows; the callers render them (text, JSON,
// Markdown, HTML, CSV) and never see SQL.
//
// Thread safety: as the Store that hands them out (one thread at a time).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/types.h"
#include "util/status.h"

namespace cnake {

// One request of the request log, as the hints need it. An empty error_type
// is a success.
struct RequestOutcomeRow {
  std::string error_type;
  int http_status = 0;  // 0 when no response arrived
};

// One stored result with its entry, for export.
struct ResultRow {
  std::string entry_id;
  std::string python_id;
  std::string code;
  std::optional<std::string> metadata_json;
  std::optional<std::string> description;
};

// The request log of one batch, summarised.
struct RequestLatencyRow {
  std::int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0;
  double span_seconds = 0;  // first to last request
};

// Tokens the API reported (chat protocol), summed over a batch's request log
// (or every batch's). Zero for batches run with the CnakeCharmer protocol,
// whose answers report no usage.
struct TokenTotalsRow {
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
  std::int64_t requests_with_usage = 0;  // requests that reported any usage
  std::int64_t entries_with_usage = 0;   // distinct entries among them
  std::int64_t interrupted = 0;          // attempts logged as "interrupted" (sent, never answered)
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
};

class Queries {
 public:
  virtual ~Queries() = default;

  virtual Result<Statistics> GetStatistics() = 0;

  // The batch's request latencies; count 0 when it has made no request.
  virtual Result<RequestLatencyRow> BatchLatency(const std::string& batch_id) = 0;
  // "entry: error_type: message" of the batch's newest errors, newest first.
  virtual Result<std::vector<std::string>> RecentErrors(const std::string& batch_id,
                                                        std::size_t limit) = 0;

  // The newest `limit` requests, oldest first, of one batch (or of all when
  // batch_id is empty).
  virtual Result<std::vector<RequestOutcomeRow>> RecentOutcomes(const std::string& batch_id,
                                                                std::size_t limit) = 0;
  // Reported tokens of one batch (or of all when batch_id is empty).
  virtual Result<TokenTotalsRow> TokenTotals(const std::string& batch_id) = 0;
  // The stored options of one batch (or of the newest batch when batch_id is
  // empty); nullopt when there is none or it holds none.
  virtual Result<std::optional<nlohmann::json>> LatestBatchOptions(const std::string& batch_id) = 0;

  // Every stored result whose entry exists, in entry id order, paged so that
  // memory stays bounded. Stops at the first error `row` returns.
  virtual Status ForEachResult(const std::function<Status(const ResultRow&)>& row) = 0;
  // Writes every result with an entry id to a Parquet file; returns the row
  // count. kInvalidArgument where the store cannot write Parquet.
  virtual Result<std::int64_t> ExportParquet(const std::string& path) = 0;
};

}  // namespace cnake
