#include "report/summary_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

SummaryDoc::Waits SumWaits(const std::vector<ReportBatchRow>& batches) {
  SummaryDoc::Waits w;
  std::size_t unrecorded = 0;
  for (const ReportBatchRow& b : batches) {
    if (b.retry_after_wait_seconds) {
      w.rate_limit_seconds = w.rate_limit_seconds.value_or(0) + *b.retry_after_wait_seconds;
    } else {
      ++unrecorded;
    }
    if (b.breaker_open_seconds) {
      w.circuit_breaker_open_seconds =
          w.circuit_breaker_open_seconds.value_or(0) + *b.breaker_open_seconds;
    }
  }
  if (unrecorded > 0) w.reason = fmt::format(kWaitsUnrecorded, unrecorded, batches.size());
  return w;
}

SummaryDoc::Attempts SumAttempts(std::vector<AttemptsRow> rows) {
  SummaryDoc::Attempts a;
  std::int64_t entries = 0, sum = 0, max = 0;
  for (const AttemptsRow& r : rows) {
    entries += r.entries;
    sum += r.attempts * r.entries;
    max = std::max(max, r.attempts);
  }
  if (entries > 0) {
    a.mean = static_cast<double>(sum) / static_cast<double>(entries);
    a.max = max;
  }
  a.distribution = std::move(rows);
  return a;
}

// A bucket width that gives at most kMaxBuckets buckets over `span` seconds.
double BucketSeconds(double span) {
  constexpr double kMaxBuckets = 60;
  constexpr double kWidths[] = {0.1, 0.25, 0.5, 1,   2,    5,    10,   15,    30,    60,
                                120, 300,  600, 900, 1800, 3600, 7200, 21600, 43200, 86400};
  for (double w : kWidths) {
    if (span / w <= kMaxBuckets) return w;
  }
  return std::ceil(span / kMaxBuckets / 86400) * 86400;
}

Result<SummaryDoc::Timeline> ReadTimeline(Queries& queries, const Scope& scope) {
  CNAKE_ASSIGN_OR_RETURN(FinishSpan span, queries.Finishes(scope));
  SummaryDoc::Timeline t;
  t.bucket_seconds = BucketSeconds(span.span_seconds);
  if (!span.start) return t;
  t.start = span.start;
  const auto n = static_cast<std::size_t>(span.span_seconds / t.bucket_seconds) + 1;
  t.buckets.resize(n);
  for (std::size_t i = 0; i < n; ++i) t.buckets[i].offset_seconds = i * t.bucket_seconds;
  CNAKE_ASSIGN_OR_RETURN(std::vector<FinishBucketRow> rows,
                         queries.FinishesPerBucket(scope, span.start_epoch_ms, t.bucket_seconds));
  for (const FinishBucketRow& r : rows) {
    const auto b = static_cast<std::size_t>(std::max<std::int64_t>(0, r.bucket));
    if (b >= n) continue;
    t.buckets[b].completed += r.completed;
    t.buckets[b].failed += r.failed;
  }
  return t;
}

template <typename T>
ordered_json Opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}

ordered_json BatchJson(const ReportBatchRow& b) {
  ordered_json options;
  if (b.options_json) {
    options = ordered_json::parse(*b.options_json, nullptr, false);
    if (options.is_discarded()) options = nullptr;
  }
  return {{"id", b.id},
          {"status", Opt(b.status_text)},
          {"stop_reason", Opt(b.stop_reason)},
          {"started_at", Opt(b.started_at)},
          {"completed_at", Opt(b.completed_at)},
          {"wall_time_seconds", b.wall_time_seconds},
          {"total_entries", b.total_entries},
          {"options", options},
          {"retry_after_wait_seconds", Opt(b.retry_after_wait_seconds)},
          {"breaker_open_seconds", Opt(b.breaker_open_seconds)}};
}

ordered_json RequestsJson(const RequestTotals& r, std::optional<double> per_entry) {
  ordered_json by_endpoint = ordered_json::object(), by_status = ordered_json::object();
  for (const auto& [endpoint, n] : r.by_endpoint) by_endpoint[endpoint] = n;
  for (const auto& [status, n] : r.by_http_status) {
    by_status[status ? std::to_string(*status) : "none"] = n;
  }
  return {{"total", r.total},
          {"failed", r.failed},
          {"http_429", r.http_429},
          {"per_entry", Opt(per_entry)},
          {"by_endpoint", std::move(by_endpoint)},
          {"by_http_status", std::move(by_status)}};
}

ordered_json LatencyJson(const LatencyRow& l) {
  return {{"count", l.count},     {"mean", Opt(l.mean_ms)}, {"p50", Opt(l.p50_ms)},
          {"p90", Opt(l.p90_ms)}, {"p99", Opt(l.p99_ms)},   {"max", Opt(l.max_ms)}};
}

ordered_json HistogramJson(const LatencyRow& l) {
  const std::vector<double>& bounds = LatencyBoundsMs();
  ordered_json histogram = ordered_json::array();
  for (std::size_t i = 0; i < l.histogram.size(); ++i) {
    histogram.push_back({{"le", i < bounds.size() ? ordered_json(bounds[i]) : ordered_json()},
                         {"count", l.histogram[i]}});
  }
  return histogram;
}

ordered_json TimelineJson(const SummaryDoc::Timeline& t) {
  ordered_json buckets = ordered_json::array();
  for (const auto& b : t.buckets) {
    buckets.push_back({{"offset_seconds", b.offset_seconds},
                       {std::string(EntryStateName(EntryState::kCompleted)), b.completed},
                       {std::string(EntryStateName(EntryState::kFailed)), b.failed}});
  }
  return {{"start", Opt(t.start)}, {"bucket_seconds", t.bucket_seconds}, {"buckets", buckets}};
}

// The scope's reported tokens, priced as summary_report.h says.
Result<std::optional<SummaryDoc::Tokens>> ReadTokens(Queries& queries, const Scope& scope,
                                                     const std::vector<ReportBatchRow>& batches,
                                                     const TokenPrices& configured) {
  CNAKE_ASSIGN_OR_RETURN(TokenTotalsRow totals, queries.TokenTotals(scope.batch_id.value_or("")));
  if (totals.total() <= 0 && totals.interrupted <= 0) return std::optional<SummaryDoc::Tokens>();
  std::optional<nlohmann::json> options;
  if (scope.batch_id && batches.size() == 1 && batches[0].options_json) {
    nlohmann::json parsed = nlohmann::json::parse(*batches[0].options_json, nullptr, false);
    if (!parsed.is_discarded()) options = std::move(parsed);
  }
  return std::optional<SummaryDoc::Tokens>(
      SummaryDoc::Tokens{totals, PricesFor(options, configured)});
}

}  // namespace

std::optional<double> SummaryDoc::requests_per_entry() const {
  const std::int64_t finished = entries.finished();
  if (finished <= 0) return std::nullopt;
  return static_cast<double>(requests.total) / static_cast<double>(finished);
}

std::optional<double> SummaryDoc::success_rate() const {
  const std::int64_t finished = entries.finished();
  if (finished == 0) return std::nullopt;
  return static_cast<double>(entries.Of(EntryState::kCompleted)) / static_cast<double>(finished);
}

Result<SummaryDoc> BuildSummary(Queries& queries, const Scope& scope,
                                const std::string& generated_at, const TokenPrices& prices) {
  SummaryDoc doc;
  doc.header = {generated_at, scope.batch_id};
  CNAKE_ASSIGN_OR_RETURN(doc.batches, queries.ReportBatches(scope));
  if (scope.batch_id && doc.batches.empty()) return NoSuchBatch(*scope.batch_id);
  CNAKE_ASSIGN_OR_RETURN(doc.entries, queries.EntryStates(scope));
  CNAKE_ASSIGN_OR_RETURN(LatencyRow latency, queries.Latency(scope, LatencyBoundsMs()));
  doc.performance = PerformanceOf(doc.batches, doc.entries, std::move(latency));
  CNAKE_ASSIGN_OR_RETURN(doc.requests, queries.CountRequests(scope));
  CNAKE_ASSIGN_OR_RETURN(std::vector<AttemptsRow> attempts, queries.AttemptsPerEntry(scope));
  doc.attempts = SumAttempts(std::move(attempts));
  doc.waits = SumWaits(doc.batches);
  CNAKE_ASSIGN_OR_RETURN(doc.timeline, ReadTimeline(queries, scope));
  CNAKE_ASSIGN_OR_RETURN(doc.tokens, ReadTokens(queries, scope, doc.batches, prices));
  return doc;
}

ordered_json SummaryJson(const SummaryDoc& doc) {
  ordered_json batches = ordered_json::array();
  for (const ReportBatchRow& b : doc.batches) batches.push_back(BatchJson(b));
  ordered_json by_state = ordered_json::object();
  for (EntryState state : kAllEntryStates) {
    by_state[std::string(EntryStateName(state))] = doc.entries.Of(state);
  }
  for (const auto& [text, n] : doc.entries.unknown_states) by_state[text] = n;
  ordered_json distribution = ordered_json::array();
  for (const AttemptsRow& r : doc.attempts.distribution) {
    distribution.push_back({{"attempts", r.attempts}, {"entries", r.entries}});
  }
  const Performance& perf = doc.performance;
  ordered_json j = {
      {"report_type", ReportTypeName(ReportType::kSummary)},
      {"schema_version", kReportSchemaVersion},
      {"generated_at", doc.header.generated_at},
      {"batch_id", Opt(doc.header.batch_id)},
      {"batches", std::move(batches)},
      {"entries",
       {{"total", doc.entries.total()}, {"finished", perf.finished}, {"by_state", by_state}}},
      {"success_rate", Opt(doc.success_rate())},
      {"wall_time_seconds", perf.wall_time_seconds},
      {"throughput_entries_per_second", Opt(perf.entries_per_second)},
      {"requests", RequestsJson(doc.requests, doc.requests_per_entry())},
      {"latency_ms", LatencyJson(perf.latency)},
      {"latency_histogram_ms", HistogramJson(perf.latency)},
      {"attempts",
       {{"mean", Opt(doc.attempts.mean)},
        {"max", Opt(doc.attempts.max)},
        {"distribution", std::move(distribution)}}},
      {"waits",
       {{"rate_limit_seconds", Opt(doc.waits.rate_limit_seconds)},
        {"circuit_breaker_open_seconds", Opt(doc.waits.circuit_breaker_open_seconds)},
        {"reason", Opt(doc.waits.reason)}}},
      {"timeline", TimelineJson(doc.timeline)}};
  if (doc.tokens) {
    j["tokens"] = ordered_json::parse(TokensJson(doc.tokens->totals, doc.tokens->prices).dump());
  }
  return j;
}

}  // namespace cnake::report
