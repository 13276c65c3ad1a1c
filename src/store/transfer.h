// Rows as they are stored, for moving a database from one store to another
// (`import` of a DuckDB file, `export --format duckdb`): every column the
// client knows, states and bookkeeping included, so a round trip keeps every
// entry, result, batch and error. Times are ISO 8601 UTC text with
// microseconds (2026-01-02T03:04:05.123456Z), empty for NULL.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/types.h"
#include "util/status.h"

namespace cnake {

struct EntryRow {
  Entry entry;             // python_id, batch_id, request_id, attempts, ... as stored
  std::string state_text;  // processing_status as stored ("" for NULL)
  bool processed = false;
  std::string created_at, processed_at, updated_at;
};

struct ResultRecord {
  std::string id;
  std::string code;
  std::optional<std::string> cython_id, metadata_json;
  std::string generated_at;
};

struct BatchRow {
  BatchRecord record;  // with status_text as stored
  std::optional<std::string> options_json;
  std::optional<std::string> stop_reason;
  std::string updated_at;
  // record.started_at / completed_at hold the times with microseconds here.
};

struct ErrorRow {
  std::string id, entry_id;
  std::optional<std::string> batch_id, message, error_type, request_id, endpoint;
  std::optional<std::int64_t> http_status, attempt;
  std::string occurred_at;
};

// One row of the request log (api_requests). It has no id: WriteAll skips a
// row equal to one already there, so copying a database twice adds nothing.
struct RequestRow {
  std::optional<std::string> batch_id, entry_id, endpoint, error_type;
  std::optional<std::int64_t> attempt, http_status;
  std::optional<double> latency_ms;
  std::string occurred_at;
  std::optional<std::int64_t> prompt_tokens, completion_tokens;  // chat protocol's usage
};

// One page of rows; any of the lists may be empty.
struct TransferChunk {
  std::vector<EntryRow> entries;
  std::vector<ResultRecord> results;
  std::vector<BatchRow> batches;
  std::vector<ErrorRow> errors;
  std::vector<RequestRow> requests;
  std::size_t size() const {
    return entries.size() + results.size() + batches.size() + errors.size() + requests.size();
  }
};

// Receives the pages of Store::ReadAll; an error stops the reading.
using TransferSink = std::function<Status(const TransferChunk&)>;

// Rows per page of ReadAll.
inline constexpr std::size_t kTransferPage = 1000;

struct TransferTotals {
  std::int64_t entries = 0, results = 0, batches = 0, errors = 0, requests = 0;
};

class Store;
// Copies every row of `from` into `to` (Store::ReadAll into Store::WriteAll,
// one transaction per page). Rows with the same id in `to` are replaced.
Result<TransferTotals> CopyStore(Store& from, Store& to);

}  // namespace cnake
