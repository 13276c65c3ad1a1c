// The detailed report: one row per entry in scope, streamed in id order.
// Field names: docs/reports.md, docs/schemas/detailed.schema.json.
//
// Rows are read in keyset pages of kDetailPageRows entries, so memory does
// not grow with the batch: a 200,000-entry batch is never held at once.
// Reads only.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/report_types.h"
#include "store/duckdb/duckdb.h"
#include "util/status.h"

namespace cnake::report {

inline constexpr std::int64_t kDetailPageRows = 5000;

struct DetailRow {
  std::string entry_id;
  std::string batch_id;
  std::string state;                       // processing_status
  std::int64_t attempts = 0;               // API attempts of the entry's job
  std::optional<double> latency_ms;        // python_entries.metadata.latency_ms
  std::int64_t requests = 0;               // rows in api_requests for the entry
  std::optional<double> request_ms_total;  // their summed latency
  std::optional<std::string> error_type;   // of the final failure
  std::optional<int> http_status;          // of the final failure
  std::optional<std::string> error;        // last_error, when not completed
  std::optional<std::string> request_id;
  std::optional<std::string> python_id;
  std::optional<std::string> processed_at;  // ISO 8601
};

// The column names, in order, for tabular formats.
const std::vector<std::string>& DetailColumns();
// The row's values as text in DetailColumns() order ("" for null).
std::vector<std::string> DetailCells(const DetailRow& row);
nlohmann::ordered_json DetailJson(const DetailRow& row);

// Calls `sink` for every entry in scope, by id. Stops at the first error
// (the sink's or the database's). Errors: kNotFound for an unknown batch.
Status StreamDetailRows(db::Connection& conn, const Scope& scope,
                        const std::function<Status(const DetailRow&)>& sink);

}  // namespace cnake::report
