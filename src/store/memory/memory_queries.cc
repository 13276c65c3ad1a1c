#include "store/memory/memory_queries.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "util/time_format.h"

namespace cnake {

std::int64_t EpochMs(SystemTimePoint t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string IsoMillis(SystemTimePoint t) {
  return FormatIsoUtc(std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
}

Result<Statistics> MemoryQueries::GetStatistics() {
  std::lock_guard lock(store_.mu_);
  Statistics s;
  for (EntryState state : kAllEntryStates) s.by_state[state] = 0;
  for (const auto& [id, row] : store_.rows_) {
    ++s.by_state[row.entry.state];
    ++s.total_entries;
  }
  s.python_entries = static_cast<std::int64_t>(store_.results_.size());
  s.errors = static_cast<std::int64_t>(store_.errors_.size());
  s.batches = static_cast<std::int64_t>(store_.batches_.size());
  for (auto it = store_.batches_.rbegin(); it != store_.batches_.rend(); ++it) {
    if (s.recent_batches.size() >= 20) break;
    s.recent_batches.push_back(it->second.record);
  }
  return s;
}

Result<std::vector<std::string>> MemoryQueries::RecentErrors(const std::string& batch_id,
                                                             std::size_t limit) {
  std::lock_guard lock(store_.mu_);
  std::vector<std::string> out;
  for (auto it = store_.errors_.rbegin(); it != store_.errors_.rend() && out.size() < limit; ++it) {
    if (it->batch_id == batch_id)
      out.push_back(it->entry_id + ": " + it->error_type + ": " + it->message);
  }
  return out;
}

Result<TokenTotalsRow> MemoryQueries::TokenTotals(const std::string& batch_id) {
  std::lock_guard lock(store_.mu_);
  TokenTotalsRow row;
  std::set<std::string> entries;
  for (std::size_t i = 0; i < store_.requests_.size(); ++i) {
    if (!batch_id.empty() && store_.request_batches_[i] != batch_id) continue;
    const RequestLog& r = store_.requests_[i];
    if (r.error_type == "interrupted") ++row.interrupted;
    if (!r.prompt_tokens && !r.completion_tokens) continue;
    row.prompt_tokens += r.prompt_tokens.value_or(0);
    row.completion_tokens += r.completion_tokens.value_or(0);
    ++row.requests_with_usage;
    entries.insert(r.entry_id);
  }
  row.entries_with_usage = static_cast<std::int64_t>(entries.size());
  return row;
}

Result<std::vector<RequestOutcomeRow>> MemoryQueries::RecentOutcomes(const std::string& batch_id,
                                                                     std::size_t limit) {
  std::lock_guard lock(store_.mu_);
  std::vector<RequestOutcomeRow> out;
  for (std::size_t i = 0; i < store_.requests_.size(); ++i) {
    if (!batch_id.empty() && store_.request_batches_[i] != batch_id) continue;
    out.push_back({store_.requests_[i].error_type, store_.requests_[i].http_status});
  }
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

Result<std::optional<nlohmann::json>> MemoryQueries::LatestBatchOptions(
    const std::string& batch_id) {
  std::lock_guard lock(store_.mu_);
  if (store_.batches_.empty()) return std::optional<nlohmann::json>();
  auto it = batch_id.empty() ? std::prev(store_.batches_.end()) : store_.batches_.find(batch_id);
  if (it == store_.batches_.end()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(it->second.options);
}

Status MemoryQueries::ForEachResult(const std::function<Status(const ResultRow&)>& row) {
  std::vector<ResultRow> rows;
  {
    std::lock_guard lock(store_.mu_);
    for (const auto& [entry_id, r] : store_.results_) {
      auto e = store_.rows_.find(entry_id);
      if (e == store_.rows_.end()) continue;
      rows.push_back(
          {entry_id, r.python_id, r.code, r.metadata.dump(), e->second.entry.description});
    }
  }
  for (const ResultRow& r : rows) CNAKE_RETURN_IF_ERROR(row(r));
  return Status::Ok();
}

Result<std::int64_t> MemoryQueries::ExportParquet(const std::string& /*path*/) {
  return InvalidArgument("the in-memory store cannot write Parquet");
}

}  // namespace cnake
