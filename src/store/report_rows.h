// The typed rows behind the `report` command, and behind the performance
// figures that `status` and the run summary share with it (report/
// performance.h). Each store aggregates in its own way (DuckDB in SQL, the
// in-memory store in C++); the report code renders these rows and never sees
// SQL. Field meanings: docs/reports.md.
//
// Times are ISO 8601 text as the store keeps them (see docs/reports.md);
// epoch milliseconds where a caller computes with them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/states.h"

namespace cnake {

// What a report covers: the entries one batch claimed, or (no batch_id) the
// entries any batch claimed. Never-claimed entries are in no report.
struct ReportScope {
  std::optional<std::string> batch_id;
};

// One batch in scope.
struct ReportBatchRow {
  std::string id;
  BatchStatus status = BatchStatus::kUnknown;
  std::optional<std::string> status_text;  // as stored; nullopt when NULL
  std::optional<std::string> stop_reason;
  std::optional<std::string> started_at, completed_at;
  // completed_at (or, while running or after a crash, the last update) minus
  // started_at, never negative; 0 when unknown.
  double wall_time_seconds = 0;
  std::int64_t total_entries = 0;
  std::optional<std::string> options_json;  // as stored
  // Summed over the runs that reached their end; nullopt when none has.
  std::optional<double> retry_after_wait_seconds, breaker_open_seconds;
};

// Entries in scope by state.
struct StateCounts {
  std::map<EntryState, std::int64_t> by_state;         // every state, zero included
  std::map<std::string, std::int64_t> unknown_states;  // text another tool wrote
  std::int64_t Of(EntryState state) const;
  std::int64_t total() const;
  std::int64_t finished() const { return Of(EntryState::kCompleted) + Of(EntryState::kFailed); }
};

// The request log in scope, counted.
struct RequestTotals {
  std::int64_t total = 0;
  std::int64_t failed = 0;    // with an error type
  std::int64_t http_429 = 0;  // answered 429
  // Most requests first, ties by name; "?" when the endpoint is unknown.
  std::vector<std::pair<std::string, std::int64_t>> by_endpoint;
  // By HTTP status, ascending; nullopt (no response arrived) last.
  std::vector<std::pair<std::optional<int>, std::int64_t>> by_http_status;
};

// The latencies of the requests in scope (every endpoint, every attempt).
// The quantiles are SQL's quantile_cont: linear interpolation between the
// two closest ranks of the sorted latencies (position q * (count - 1)).
struct LatencyRow {
  std::int64_t count = 0;                                         // requests with a latency
  std::optional<double> mean_ms, p50_ms, p90_ms, p99_ms, max_ms;  // nullopt when count is 0
  // Requests per bucket of the bounds the caller passed: bucket i holds
  // bounds[i-1] < latency <= bounds[i]; the last bucket, above every bound.
  std::vector<std::int64_t> histogram;
};

// How many finished (completed or failed) entries took this many attempts.
struct AttemptsRow {
  std::int64_t attempts = 0;
  std::int64_t entries = 0;
};

// When entries finished: completions (the result's generated_at) and final
// failures (processing_errors.occurred_at).
struct FinishSpan {
  std::optional<std::string> start;  // the first; nullopt when nothing finished
  double start_epoch_ms = 0;
  double span_seconds = 0;  // first to last
};
// Finishes per bucket of `width_seconds` from FinishSpan::start_epoch_ms.
struct FinishBucketRow {
  std::int64_t bucket = 0;
  std::int64_t completed = 0, failed = 0;
};

// One row of processing_errors (an entry's final failure).
struct FailureRow {
  std::string entry_id;
  std::string error_type;  // "unknown" when NULL
  std::optional<int> http_status;
  std::string message;
  std::string occurred_at;  // "" when NULL
};

// Failed requests (retried or not) grouped by endpoint, error type and status.
struct RequestErrorRow {
  std::string endpoint;  // "?" when unknown
  std::string error_type;
  std::optional<int> http_status;
  std::int64_t count = 0;
  std::optional<std::string> first_seen, last_seen;
};

// One entry of the detailed report.
struct EntryDetailRow {
  std::string entry_id;
  std::string batch_id;
  std::string state;                       // processing_status as stored
  std::int64_t attempts = 0;               // API attempts of the entry's job
  std::optional<double> latency_ms;        // the result's metadata.latency_ms
  std::int64_t requests = 0;               // the entry's rows in the request log
  std::optional<double> request_ms_total;  // their summed latency
  std::optional<std::string> error_type;   // of the final failure (failed entries only)
  std::optional<int> http_status;          // of the final failure (failed entries only)
  std::optional<std::string> error;        // last_error, unless completed
  std::optional<std::string> request_id;
  std::optional<std::string> python_id;
  std::optional<std::string> processed_at;
};

}  // namespace cnake
