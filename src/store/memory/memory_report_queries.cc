// The report rows (store/report_rows.h) over a MemoryStore: each read takes
// the store's mutex and computes over its maps, with DuckDB's semantics
// (duckdb/report_queries.cc), so the two stores give the same figures.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "store/latency_stats.h"
#include "store/memory/memory_queries.h"

namespace cnake {
namespace {

bool InScope(const ReportScope& scope, const std::optional<std::string>& batch_id) {
  return batch_id && (!scope.batch_id || *batch_id == *scope.batch_id);
}
bool InScope(const ReportScope& scope, const std::string& batch_id) {
  return !batch_id.empty() && (!scope.batch_id || batch_id == *scope.batch_id);
}

std::optional<int> HttpStatus(int http_status) {
  return http_status ? std::optional<int>(http_status) : std::nullopt;
}

// Ascending, nullopt last (SQL's ORDER BY ... NULLS LAST).
bool StatusBefore(const std::optional<int>& a, const std::optional<int>& b) {
  if (a && b) return *a < *b;
  return a.has_value() && !b.has_value();
}

}  // namespace

Result<std::vector<ReportBatchRow>> MemoryQueries::ReportBatches(const ReportScope& scope) {
  std::lock_guard lock(store_.mu_);
  std::vector<std::pair<SystemTimePoint, ReportBatchRow>> rows;
  for (const auto& [id, b] : store_.batches_) {
    if (scope.batch_id && id != *scope.batch_id) continue;
    ReportBatchRow r;
    r.id = id;
    r.status = b.record.status;
    r.status_text = b.record.status_text;
    if (!b.stop_reason.empty()) r.stop_reason = b.stop_reason;
    r.started_at = IsoMillis(b.started_at);
    if (b.completed_at) r.completed_at = IsoMillis(*b.completed_at);
    const SystemTimePoint end = b.completed_at.value_or(b.updated_at);
    r.wall_time_seconds =
        std::max(0.0, static_cast<double>(EpochMs(end) - EpochMs(b.started_at)) / 1000);
    r.total_entries = b.record.total;
    if (!b.options.is_null()) r.options_json = b.options.dump();
    r.retry_after_wait_seconds = b.record.retry_after_wait_seconds;
    r.breaker_open_seconds = b.record.breaker_open_seconds;
    rows.emplace_back(b.started_at, std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ReportBatchRow> out;
  for (auto& [t, r] : rows) out.push_back(std::move(r));
  return out;
}

Result<StateCounts> MemoryQueries::EntryStates(const ReportScope& scope) {
  std::lock_guard lock(store_.mu_);
  StateCounts counts;
  for (EntryState state : kAllEntryStates) counts.by_state[state] = 0;
  for (const auto& [id, row] : store_.rows_) {
    if (InScope(scope, row.entry.batch_id)) ++counts.by_state[row.entry.state];
  }
  return counts;
}

Result<RequestTotals> MemoryQueries::CountRequests(const ReportScope& scope) {
  std::lock_guard lock(store_.mu_);
  RequestTotals t;
  std::map<std::string, std::int64_t> endpoints;
  std::map<int, std::int64_t> statuses;  // 0: no response
  for (std::size_t i = 0; i < store_.requests_.size(); ++i) {
    if (!InScope(scope, store_.request_batches_[i])) continue;
    const RequestLog& r = store_.requests_[i];
    ++t.total;
    t.failed += r.error_type.empty() ? 0 : 1;
    t.http_429 += r.http_status == 429 ? 1 : 0;
    ++endpoints[r.endpoint];  // never NULL here, so never "?"
    ++statuses[r.http_status];
  }
  t.by_endpoint.assign(endpoints.begin(), endpoints.end());
  std::stable_sort(t.by_endpoint.begin(), t.by_endpoint.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [status, n] : statuses) t.by_http_status.emplace_back(HttpStatus(status), n);
  std::stable_sort(t.by_http_status.begin(), t.by_http_status.end(),
                   [](const auto& a, const auto& b) { return StatusBefore(a.first, b.first); });
  return t;
}

Result<LatencyRow> MemoryQueries::Latency(const ReportScope& scope,
                                          const std::vector<double>& bounds_ms) {
  std::vector<double> ms;
  {
    std::lock_guard lock(store_.mu_);
    for (std::size_t i = 0; i < store_.requests_.size(); ++i) {
      if (InScope(scope, store_.request_batches_[i])) ms.push_back(store_.requests_[i].latency_ms);
    }
  }
  LatencyRow row;
  row.histogram.assign(bounds_ms.size() + 1, 0);
  row.count = static_cast<std::int64_t>(ms.size());
  if (ms.empty()) return row;
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) {
    sum += v;
    ++row.histogram[HistogramBucket(bounds_ms, v)];
  }
  row.mean_ms = sum / static_cast<double>(ms.size());
  row.max_ms = ms.back();
  auto kth = [&](std::int64_t k) -> Result<double> { return ms[static_cast<std::size_t>(k)]; };
  std::optional<double>* quantiles[] = {&row.p50_ms, &row.p90_ms, &row.p99_ms};
  for (std::size_t i = 0; i < kLatencyQuantiles.size(); ++i) {
    CNAKE_ASSIGN_OR_RETURN(*quantiles[i], QuantileCont(row.count, kLatencyQuantiles[i], kth));
  }
  return row;
}

Result<std::vector<AttemptsRow>> MemoryQueries::AttemptsPerEntry(const ReportScope& scope) {
  std::lock_guard lock(store_.mu_);
  std::map<std::int64_t, std::int64_t> by_attempts;
  for (const auto& [id, row] : store_.rows_) {
    if (InScope(scope, row.entry.batch_id) && IsFinal(row.entry.state)) {
      ++by_attempts[row.entry.attempts];
    }
  }
  std::vector<AttemptsRow> out;
  for (const auto& [attempts, n] : by_attempts) out.push_back({attempts, n});
  return out;
}

// Completions and final failures in scope, as (epoch ms, completed).
std::vector<std::pair<std::int64_t, bool>> MemoryQueries::FinishEventsLocked(
    const ReportScope& scope) const {
  std::vector<std::pair<std::int64_t, bool>> events;
  for (const auto& [entry_id, result] : store_.results_) {
    auto e = store_.rows_.find(entry_id);
    if (e == store_.rows_.end() || !InScope(scope, e->second.entry.batch_id)) continue;
    if (e->second.entry.state != EntryState::kCompleted) continue;
    events.emplace_back(EpochMs(result.generated_at), true);
  }
  for (const auto& err : store_.errors_) {
    if (InScope(scope, err.batch_id)) events.emplace_back(EpochMs(err.occurred_at), false);
  }
  return events;
}

Result<FinishSpan> MemoryQueries::Finishes(const ReportScope& scope) {
  std::lock_guard lock(store_.mu_);
  const auto events = FinishEventsLocked(scope);
  FinishSpan span;
  if (events.empty()) return span;
  const auto [lo, hi] = std::minmax_element(events.begin(), events.end());
  span.start_epoch_ms = static_cast<double>(lo->first);
  span.span_seconds = static_cast<double>(hi->first - lo->first) / 1000;
  span.start = IsoMillis(SystemTimePoint(std::chrono::milliseconds(lo->first)));
  return span;
}

Result<std::vector<FinishBucketRow>> MemoryQueries::FinishesPerBucket(const ReportScope& scope,
                                                                      double start_epoch_ms,
                                                                      double width_seconds) {
  std::lock_guard lock(store_.mu_);
  std::map<std::int64_t, FinishBucketRow> buckets;
  for (const auto& [t, ok] : FinishEventsLocked(scope)) {
    const auto b = static_cast<std::int64_t>(
        std::floor((static_cast<double>(t) - start_epoch_ms) / (width_seconds * 1000)));
    FinishBucketRow& row = buckets[b];
    row.bucket = b;
    ++(ok ? row.completed : row.failed);
  }
  std::vector<FinishBucketRow> out;
  for (const auto& [b, row] : buckets) out.push_back(row);
  return out;
}

Status MemoryQueries::ForEachFailure(const ReportScope& scope,
                                     const std::function<Status(const FailureRow&)>& row) {
  std::vector<FailureRow> rows;
  {
    std::lock_guard lock(store_.mu_);
    for (const auto& e : store_.errors_) {
      if (!InScope(scope, e.batch_id)) continue;
      rows.push_back({e.entry_id, e.error_type.empty() ? "unknown" : e.error_type,
                      HttpStatus(e.http_status), e.message, IsoMillis(e.occurred_at)});
    }
  }
  for (const FailureRow& r : rows) CNAKE_RETURN_IF_ERROR(row(r));
  return Status::Ok();
}

Result<std::vector<RequestErrorRow>> MemoryQueries::RequestErrors(const ReportScope& scope) {
  std::lock_guard lock(store_.mu_);
  using Key = std::tuple<std::string, std::string, std::optional<int>>;
  std::map<Key, RequestErrorRow> groups;
  std::map<Key, std::pair<SystemTimePoint, SystemTimePoint>> seen;
  for (std::size_t i = 0; i < store_.requests_.size(); ++i) {
    const RequestLog& r = store_.requests_[i];
    if (!InScope(scope, store_.request_batches_[i]) || r.error_type.empty()) continue;
    Key key{r.endpoint, r.error_type, HttpStatus(r.http_status)};
    RequestErrorRow& g = groups[key];
    auto [it, fresh] = seen.try_emplace(key, r.occurred_at, r.occurred_at);
    if (!fresh) {
      it->second.first = std::min(it->second.first, r.occurred_at);
      it->second.second = std::max(it->second.second, r.occurred_at);
    }
    g.endpoint = std::get<0>(key);
    g.error_type = r.error_type;
    g.http_status = std::get<2>(key);
    ++g.count;
  }
  std::vector<RequestErrorRow> out;
  for (auto& [key, g] : groups) {
    g.first_seen = IsoMillis(seen[key].first);
    g.last_seen = IsoMillis(seen[key].second);
    out.push_back(std::move(g));
  }
  std::stable_sort(out.begin(), out.end(), [](const RequestErrorRow& a, const RequestErrorRow& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.endpoint != b.endpoint) return a.endpoint < b.endpoint;
    if (a.error_type != b.error_type) return a.error_type < b.error_type;
    return StatusBefore(a.http_status, b.http_status);
  });
  return out;
}

EntryDetailRow MemoryQueries::DetailLocked(const ReportScope& scope, const Row& row) const {
  const Entry& e = row.entry;
  EntryDetailRow d;
  d.entry_id = e.id;
  d.batch_id = e.batch_id.value_or("");
  d.state = std::string(EntryStateName(e.state));
  d.attempts = e.attempts;
  if (auto r = store_.results_.find(e.id); r != store_.results_.end() && e.python_id) {
    const nlohmann::json& m = r->second.metadata;
    if (m.is_object() && m.contains("latency_ms") && m["latency_ms"].is_number()) {
      d.latency_ms = m["latency_ms"].get<double>();
    }
  }
  for (std::size_t i = 0; i < store_.requests_.size(); ++i) {
    if (store_.requests_[i].entry_id != e.id || !InScope(scope, store_.request_batches_[i])) {
      continue;
    }
    ++d.requests;
    d.request_ms_total = d.request_ms_total.value_or(0) + store_.requests_[i].latency_ms;
  }
  if (e.state == EntryState::kFailed) {
    const MemoryStore::StoredError* last = nullptr;
    for (const auto& err : store_.errors_) {
      if (err.entry_id == e.id && InScope(scope, err.batch_id) &&
          (!last || err.occurred_at >= last->occurred_at)) {
        last = &err;
      }
    }
    if (last) {
      d.error_type = last->error_type;
      d.http_status = HttpStatus(last->http_status);
    }
  }
  if (e.state != EntryState::kCompleted) d.error = e.last_error;
  d.request_id = e.request_id;
  d.python_id = e.python_id;
  if (row.processed_at) d.processed_at = IsoMillis(*row.processed_at);
  return d;
}

Status MemoryQueries::ForEachEntryDetail(const ReportScope& scope,
                                         const std::function<Status(const EntryDetailRow&)>& row) {
  std::vector<EntryDetailRow> rows;
  {
    std::lock_guard lock(store_.mu_);
    for (const auto& [id, r] : store_.rows_) {
      if (InScope(scope, r.entry.batch_id)) rows.push_back(DetailLocked(scope, r));
    }
  }
  for (const EntryDetailRow& r : rows) CNAKE_RETURN_IF_ERROR(row(r));
  return Status::Ok();
}

}  // namespace cnake
