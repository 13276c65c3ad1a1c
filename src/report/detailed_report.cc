#include "report/detailed_report.h"

#include <fmt/format.h>

#include "report/performance.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

std::string Num(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string();
}

template <typename T>
ordered_json Opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}

}  // namespace

const std::vector<std::string>& DetailColumns() {
  static const std::vector<std::string> kColumns = {
      "entry_id",   "batch_id",         "state",       "attempts",    "latency_ms",
      "requests",   "request_ms_total", "error_type",  "http_status", "error",
      "request_id", "python_id",        "processed_at"};
  return kColumns;
}

std::vector<std::string> DetailCells(const DetailRow& r) {
  return {r.entry_id,
          r.batch_id,
          r.state,
          std::to_string(r.attempts),
          Num(r.latency_ms),
          std::to_string(r.requests),
          Num(r.request_ms_total),
          r.error_type.value_or(""),
          r.http_status ? std::to_string(*r.http_status) : "",
          r.error.value_or(""),
          r.request_id.value_or(""),
          r.python_id.value_or(""),
          r.processed_at.value_or("")};
}

ordered_json DetailJson(const DetailRow& r) {
  return {{"entry_id", r.entry_id},
          {"batch_id", r.batch_id},
          {"state", r.state},
          {"attempts", r.attempts},
          {"latency_ms", Opt(r.latency_ms)},
          {"requests", r.requests},
          {"request_ms_total", Opt(r.request_ms_total)},
          {"error_type", Opt(r.error_type)},
          {"http_status", Opt(r.http_status)},
          {"error", Opt(r.error)},
          {"request_id", Opt(r.request_id)},
          {"python_id", Opt(r.python_id)},
          {"processed_at", Opt(r.processed_at)}};
}

Status StreamDetailRows(Queries& queries, const Scope& scope,
                        const std::function<Status(const DetailRow&)>& sink) {
  if (scope.batch_id) {
    CNAKE_ASSIGN_OR_RETURN(std::vector<ReportBatchRow> batches, queries.ReportBatches(scope));
    if (batches.empty()) return NoSuchBatch(*scope.batch_id);
  }
  return queries.ForEachEntryDetail(scope, sink);
}

}  // namespace cnake::report
