#include "report/systemic_hints.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

namespace cnake::report {
namespace {

std::string Url(const HintContext& c) { return c.base_url.empty() ? "the base URL" : c.base_url; }

std::string Share(std::size_t n, std::size_t total) {
  return n == total ? fmt::format("all {} recent requests", total)
                    : fmt::format("{} of the last {} requests", n, total);
}

// The hint for one systemic failure kind: what happened and what to do.
std::string HintFor(const RequestOutcome& kind, std::size_t n, std::size_t total,
                    const HintContext& c) {
  const std::string share = Share(n, total);
  const std::string& t = kind.error_type;
  if (t == "http_429" || kind.http_status == 429) {
    return c.requests_per_minute > 0
               ? fmt::format("{} got 429 (rate limited): lower --rpm (now {:g}/min)", share,
                             c.requests_per_minute)
               : fmt::format("{} got 429 (rate limited): lower --rpm", share);
  }
  if (t == "auth" || kind.http_status == 401 || kind.http_status == 403) {
    return fmt::format("{} got {}: check CNAKE_API_KEY (or api.api_key_file)", share,
                       kind.http_status ? kind.http_status : 401);
  }
  if (t == "connection_refused") {
    return fmt::format("{} failed with connection refused: is the API running at {}?", share,
                       Url(c));
  }
  if (t == "dns") {
    return fmt::format("{} failed to resolve the host: check --base-url ({})", share, Url(c));
  }
  if (t == "tls") {
    return fmt::format("{} failed TLS verification: check the certificate and the URL scheme of {}",
                       share, Url(c));
  }
  if (t == "timeout" || t == "stalled") {
    return fmt::format(
        "{} timed out: the API at {} is slow or overloaded; lower --max-concurrent or raise "
        "api.timeout",
        share, Url(c));
  }
  if (t == "connection_reset" || t == "network") {
    return fmt::format("{} lost the connection ({}): check the network path and proxies to {}",
                       share, t, Url(c));
  }
  if (kind.http_status >= 500) {
    return fmt::format("{} got HTTP {}: the API is failing on its side; retry later", share,
                       kind.http_status);
  }
  if (t == "lost_job") {
    return fmt::format("{} found their job gone (404): the API restarted or evicts jobs early",
                       share);
  }
  if (t == "job_failed") {
    return fmt::format(
        "{} reported failed jobs: the API rejects these inputs; see `report --type "
        "errors`",
        share);
  }
  if (t == "malformed_response" || t == "invalid_status") {
    return fmt::format("{} got malformed responses: is {} really a CnakeCharmer API?", share,
                       Url(c));
  }
  return fmt::format("{} failed with {}{}", share, t.empty() ? "an error" : t,
                     kind.http_status ? fmt::format(" (HTTP {})", kind.http_status) : "");
}

}  // namespace

std::vector<std::string> SystemicHints(const std::vector<RequestOutcome>& recent,
                                       const HintContext& context) {
  const std::size_t start = recent.size() > kHintWindow ? recent.size() - kHintWindow : 0;
  const std::size_t total = recent.size() - start;
  std::map<std::pair<std::string, int>, std::size_t> kinds;
  for (std::size_t i = start; i < recent.size(); ++i) {
    const RequestOutcome& o = recent[i];
    if (o.error_type.empty()) continue;
    ++kinds[{o.error_type, o.http_status}];
  }
  std::vector<std::pair<std::size_t, RequestOutcome>> systemic;
  for (const auto& [key, n] : kinds) {
    if (n >= kHintMinFailures && 2 * n > total) systemic.push_back({n, {key.first, key.second}});
  }
  std::sort(systemic.begin(), systemic.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> hints;
  for (const auto& [n, kind] : systemic) hints.push_back(HintFor(kind, n, total, context));
  return hints;
}

Result<std::vector<std::string>> HintsFromStore(Queries& queries, const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(auto rows, queries.RecentOutcomes(batch_id, kHintWindow));
  std::vector<RequestOutcome> recent;
  recent.reserve(rows.size());
  for (RequestOutcomeRow& r : rows) recent.push_back({std::move(r.error_type), r.http_status});
  HintContext context;
  CNAKE_ASSIGN_OR_RETURN(auto options, queries.LatestBatchOptions(batch_id));
  if (options && options->is_object()) {
    const nlohmann::json& j = *options;
    if (j.contains("base_url") && j["base_url"].is_string()) context.base_url = j["base_url"];
    if (j.contains("requests_per_minute") && j["requests_per_minute"].is_number()) {
      context.requests_per_minute = j["requests_per_minute"].get<double>();
    }
  }
  return SystemicHints(recent, context);
}

}  // namespace cnake::report
