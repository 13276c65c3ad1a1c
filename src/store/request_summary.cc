#include "store/request_summary.h"

#include <nlohmann/json.hpp>

namespace cnake {
namespace {

constexpr int kVersion = 1;

nlohmann::json Optional(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

std::optional<double> OptionalOf(const nlohmann::json& v) {
  return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
}

}  // namespace

std::string RequestSummaryJson(const RequestSummary& s) {
  const LatencyRow& l = s.latency;
  const TokenTotalsRow& t = s.tokens;
  nlohmann::json j = {
      {"v", kVersion},
      {"bounds_ms", s.bounds_ms},
      {"latency",
       {{"count", l.count},
        {"mean_ms", Optional(l.mean_ms)},
        {"p50_ms", Optional(l.p50_ms)},
        {"p90_ms", Optional(l.p90_ms)},
        {"p99_ms", Optional(l.p99_ms)},
        {"max_ms", Optional(l.max_ms)},
        {"histogram", l.histogram}}},
      {"tokens",
       {{"prompt", t.prompt_tokens},
        {"completion", t.completion_tokens},
        {"requests_with_usage", t.requests_with_usage},
        {"entries_with_usage", t.entries_with_usage},
        {"interrupted", t.interrupted}}}};
  return j.dump();
}

std::optional<RequestSummary> ParseRequestSummary(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("v", 0) != kVersion) return std::nullopt;
  try {
    RequestSummary s;
    s.bounds_ms = j.at("bounds_ms").get<std::vector<double>>();
    const nlohmann::json& l = j.at("latency");
    s.latency.count = l.at("count").get<std::int64_t>();
    s.latency.mean_ms = OptionalOf(l.at("mean_ms"));
    s.latency.p50_ms = OptionalOf(l.at("p50_ms"));
    s.latency.p90_ms = OptionalOf(l.at("p90_ms"));
    s.latency.p99_ms = OptionalOf(l.at("p99_ms"));
    s.latency.max_ms = OptionalOf(l.at("max_ms"));
    s.latency.histogram = l.at("histogram").get<std::vector<std::int64_t>>();
    if (s.latency.histogram.size() != s.bounds_ms.size() + 1) return std::nullopt;
    const nlohmann::json& t = j.at("tokens");
    s.tokens.prompt_tokens = t.at("prompt").get<std::int64_t>();
    s.tokens.completion_tokens = t.at("completion").get<std::int64_t>();
    s.tokens.requests_with_usage = t.at("requests_with_usage").get<std::int64_t>();
    s.tokens.entries_with_usage = t.at("entries_with_usage").get<std::int64_t>();
    s.tokens.interrupted = t.at("interrupted").get<std::int64_t>();
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // written by something else: the rows decide
  }
}

Result<RequestSummary> SummarizeRequests(Queries& queries, const std::string& batch_id,
                                         const std::vector<double>& bounds_ms) {
  RequestSummary s;
  s.bounds_ms = bounds_ms;
  CNAKE_ASSIGN_OR_RETURN(s.latency, queries.Latency(ReportScope{batch_id}, bounds_ms));
  CNAKE_ASSIGN_OR_RETURN(s.tokens, queries.TokenTotals(batch_id));
  return s;
}

}  // namespace cnake
