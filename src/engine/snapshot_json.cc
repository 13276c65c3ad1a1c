#include "engine/snapshot_json.h"

#include <sstream>

namespace cnake::engine {

nlohmann::json SnapshotJson(const Snapshot& s) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : s.recent_errors) errors.push_back(e);
  nlohmann::json counts = {{"total", s.total}};
  for (EntryState state : kAllEntryStates)
    counts[std::string(EntryStateName(state))] = s.Count(state);
  return {{"batch_id", s.batch_id},
          {"state", RunPhaseName(s.phase)},
          {"live", true},
          {"counts", counts},
          {"jobs_in_flight", s.jobs_in_flight},
          {"requests_in_flight", s.requests_in_flight},
          {"queued", s.queued},
          {"requests", s.requests},
          {"retries", s.retries},
          {"throttled", s.throttled},
          {"lost_jobs", s.lost_jobs},
          {"current_rpm", s.current_rpm},
          {"configured_rpm", s.configured_rpm},
          {"breaker", s.breaker_state},
          {"rate_wait_seconds", s.rate_wait_seconds},
          {"rate_limited", s.rate_limited},
          {"rate_limited_seconds", s.rate_limited_seconds},
          {"breaker_open_seconds", s.breaker_open_seconds},
          {"elapsed_seconds", s.elapsed_seconds},
          {"entries_per_second", s.entries_per_second},
          {"eta_seconds", s.eta_seconds.value_or(-1)},  // -1: unknown
          {"latency_ms",
           {{"p50", s.latency.Quantile(0.5)},
            {"p90", s.latency.Quantile(0.9)},
            {"p99", s.latency.Quantile(0.99)},
            {"count", s.latency.count}}},
          {"recent_errors", errors},
          // The names of report::TokensJson (stored batches).
          {"tokens",
           {{"prompt", s.prompt_tokens},
            {"completion", s.completion_tokens},
            {"total", s.prompt_tokens + s.completion_tokens},
            {"per_entry", s.entries_with_usage > 0
                              ? static_cast<double>(s.prompt_tokens + s.completion_tokens) /
                                    static_cast<double>(s.entries_with_usage)
                              : 0.0},
            {"interrupted_attempts", s.interrupted_attempts},
            {"tokens_per_minute", s.configured_tpm},
            {"cost", s.cost >= 0 ? nlohmann::json(s.cost) : nlohmann::json()}}}};
}

std::string PrometheusMetrics(const Snapshot& s) {
  std::ostringstream o;
  auto gauge = [&](const char* name, const char* help, double v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
      << name << " " << v << "\n";
  };
  o << "# HELP cnake_requests_total HTTP requests sent to the API, by endpoint.\n"
    << "# TYPE cnake_requests_total counter\n";
  const char* endpoints[] = {"generate", "status", "results", "health"};
  for (int i = 0; i < 4; ++i) {
    o << "cnake_requests_total{endpoint=\"" << endpoints[i] << "\"} " << s.requests_by_endpoint[i]
      << "\n";
  }
  o << "# HELP cnake_tokens_total Tokens the API reported, by kind (chat protocol).\n"
    << "# TYPE cnake_tokens_total counter\n"
    << "cnake_tokens_total{kind=\"prompt\"} " << s.prompt_tokens << "\n"
    << "cnake_tokens_total{kind=\"completion\"} " << s.completion_tokens << "\n";
  o << "# HELP cnake_request_latency_seconds API request latency.\n"
    << "# TYPE cnake_request_latency_seconds histogram\n";
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBoundsMs.size(); ++i) {
    cumulative += s.latency.counts[i];
    o << "cnake_request_latency_seconds_bucket{le=\"" << LatencyHistogram::kBoundsMs[i] / 1000.0
      << "\"} " << cumulative << "\n";
  }
  cumulative += s.latency.counts.back();
  o << "cnake_request_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "cnake_request_latency_seconds_sum " << s.latency.sum_ms / 1000.0 << "\n"
    << "cnake_request_latency_seconds_count " << s.latency.count << "\n";
  o << "# HELP cnake_entries Entries of the batch by state.\n# TYPE cnake_entries gauge\n";
  for (EntryState state : kAllEntryStates) {
    o << "cnake_entries{state=\"" << EntryStateName(state) << "\"} " << s.Count(state) << "\n";
  }
  gauge("cnake_jobs_in_flight", "Jobs submitted and not yet final.",
        static_cast<double>(s.jobs_in_flight));
  gauge("cnake_queue_length", "Claimed entries waiting for a job slot.",
        static_cast<double>(s.queued));
  gauge("cnake_rate_limit_rpm", "Current request rate limit (requests per minute).", s.current_rpm);
  gauge("cnake_rate_limit_wait_seconds", "Time dispatch was paused by 429/Retry-After.",
        s.rate_wait_seconds);
  gauge("cnake_rate_limited_seconds",
        "Time a due request waited for the configured request rate alone.", s.rate_limited_seconds);
  gauge("cnake_retries", "Retries scheduled.", static_cast<double>(s.retries));
  gauge("cnake_circuit_breaker_open", "1 when the circuit breaker is not closed.",
        s.breaker_state == "closed" ? 0 : 1);
  return o.str();
}

}  // namespace cnake::engine
