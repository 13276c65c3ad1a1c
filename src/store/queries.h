// Typed reads behind `stats`, `status`, `export`, the run summary and the
// reports. Each returns plain rows (store/report_rows.h for the reports); the
// callers render them (text, JSON, Markdown, HTML, CSV) and never see SQL.
//
// Thread safety: as the Store that hands them out (one thread at a time).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/report_rows.h"
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

  // --- Reports and performance figures (store/report_rows.h) ---
  // Every read below covers `scope`; with a batch_id that names no batch they
  // find nothing (ReportBatches is empty).

  // The batches in scope, by started_at then id.
  virtual Result<std::vector<ReportBatchRow>> ReportBatches(const ReportScope& scope) = 0;
  virtual Result<StateCounts> EntryStates(const ReportScope& scope) = 0;
  virtual Result<RequestTotals> CountRequests(const ReportScope& scope) = 0;
  // Quantiles (as store/latency_stats.h defines them), mean, max and a
  // histogram over `bounds_ms` (ascending) of the requests' latencies, with
  // memory that does not grow with the request log.
  virtual Result<LatencyRow> Latency(const ReportScope& scope,
                                     const std::vector<double>& bounds_ms) = 0;
  // Finished entries per number of attempts, by attempts.
  virtual Result<std::vector<AttemptsRow>> AttemptsPerEntry(const ReportScope& scope) = 0;
  virtual Result<FinishSpan> Finishes(const ReportScope& scope) = 0;
  // Buckets with at least one finish, in any order; bucket numbers may fall
  // outside the span when a clock went backwards (callers drop them).
  virtual Result<std::vector<FinishBucketRow>> FinishesPerBucket(const ReportScope& scope,
                                                                 double start_epoch_ms,
                                                                 double width_seconds) = 0;
  // Every final failure in scope in the order stored, paged so that memory
  // stays bounded. Stops at the first error `row` returns.
  virtual Status ForEachFailure(const ReportScope& scope,
                                const std::function<Status(const FailureRow&)>& row) = 0;
  // Most first, ties by endpoint, error type, status.
  virtual Result<std::vector<RequestErrorRow>> RequestErrors(const ReportScope& scope) = 0;
  // Every entry in scope by id, paged so that memory stays bounded. Stops at
  // the first error `row` returns.
  virtual Status ForEachEntryDetail(const ReportScope& scope,
                                    const std::function<Status(const EntryDetailRow&)>& row) = 0;
};

}  // namespace cnake
