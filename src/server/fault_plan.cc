#include "server/fault_plan.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "server/hashing.h"

namespace cnake::server {
namespace {

constexpr const char* kFaultNames[] = {nullptr,
                                       "429",
                                       "500",
                                       "502",
                                       "503",
                                       "504",
                                       "401",
                                       "400",
                                       "422",
                                       "hang",
                                       "reset_before",
                                       "reset_mid",
                                       "truncated",
                                       "malformed_json",
                                       "oversized",
                                       "slow_drip",
                                       "huge_chunked",
                                       "gzip_bomb",
                                       "deep_nesting",
                                       "invalid_utf8",
                                       "nul_bytes",
                                       "redirect",
                                       "evil_request_id",
                                       "huge_request_id",
                                       "job_failed",
                                       "job_never_completes",
                                       "job_lost",
                                       "no_fence",
                                       "prose",
                                       "length",
                                       "insufficient_quota"};
static_assert(std::size(kFaultNames) == static_cast<size_t>(Fault::kCount));

constexpr const char* kEndpointNames[] = {"generate", "status", "results", "health"};

constexpr uint64_t kLatencySalt = 0x6c6174656e6379ULL;  // "latency"

Status Invalid(const std::string& where, const std::string& what) {
  return InvalidArgument("scenario: " + where + ": " + what);
}

Result<double> Probability(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number()) return Invalid(where, "expected a number in [0, 1]");
  const double p = v.get<double>();
  if (!(p >= 0 && p <= 1)) return Invalid(where, "expected a number in [0, 1]");
  return p;
}

Result<uint64_t> Unsigned(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0)) {
    return Invalid(where, "expected a non-negative integer");
  }
  return v.get<uint64_t>();
}

Result<Micros> Millis(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 86400e3) {
    return Invalid(where, "expected milliseconds in [0, 86400000]");
  }
  return Micros(static_cast<int64_t>(std::llround(v.get<double>() * 1000)));
}

Result<LatencyRule> ParseLatency(const nlohmann::json& v, const std::string& where) {
  if (!v.is_object()) return Invalid(where, "expected {\"rate\", \"ms\", \"jitter_ms\"}");
  LatencyRule rule;
  for (const auto& [key, value] : v.items()) {
    if (key == "rate") {
      CNAKE_ASSIGN_OR_RETURN(rule.rate, Probability(value, where + ".rate"));
    } else if (key == "ms") {
      CNAKE_ASSIGN_OR_RETURN(rule.base, Millis(value, where + ".ms"));
    } else if (key == "jitter_ms") {
      CNAKE_ASSIGN_OR_RETURN(rule.jitter, Millis(value, where + ".jitter_ms"));
    } else {
      return Invalid(where + "." + key, "unknown field");
    }
  }
  return rule;
}

// Parses one endpoint object into `rates` (fault -> rate) and `latency`.
Status ParseEndpoint(const nlohmann::json& v, const std::string& where, bool generate,
                     bool wildcard, std::map<Fault, double>* rates,
                     std::optional<LatencyRule>* latency) {
  if (!v.is_object()) return Invalid(where, "expected an object of fault name -> rate");
  for (const auto& [key, value] : v.items()) {
    if (key == "latency") {
      CNAKE_ASSIGN_OR_RETURN(LatencyRule rule, ParseLatency(value, where + ".latency"));
      *latency = rule;
      continue;
    }
    const std::optional<Fault> fault = FaultFromName(key);
    if (!fault) return Invalid(where + "." + key, "unknown fault");
    if (IsGenerateOnly(*fault) && (!generate || wildcard)) {
      return Invalid(where + "." + key, "this fault applies to \"generate\" only");
    }
    CNAKE_ASSIGN_OR_RETURN((*rates)[*fault], Probability(value, where + "." + key));
  }
  return Status::Ok();
}

Status ParseParams(const nlohmann::json& v, FaultParams* p) {
  if (!v.is_object()) return Invalid("params", "expected an object");
  for (const auto& [key, value] : v.items()) {
    const std::string where = "params." + key;
    if (key == "retry_after_s") {
      CNAKE_ASSIGN_OR_RETURN(uint64_t s, Unsigned(value, where));
      p->retry_after_s = static_cast<int>(std::min<uint64_t>(s, 86400));
    } else if (key == "retry_after_form") {
      const std::string form = value.is_string() ? value.get<std::string>() : "";
      if (form == "seconds") {
        p->retry_after_form = RetryAfterForm::kSeconds;
      } else if (form == "http-date") {
        p->retry_after_form = RetryAfterForm::kHttpDate;
      } else if (form == "alternate") {
        p->retry_after_form = RetryAfterForm::kAlternate;
      } else {
        return Invalid(where, "expected \"seconds\", \"http-date\" or \"alternate\"");
      }
    } else if (key == "oversized_bytes") {
      CNAKE_ASSIGN_OR_RETURN(p->oversized_bytes, Unsigned(value, where));
    } else if (key == "huge_chunked_bytes") {
      CNAKE_ASSIGN_OR_RETURN(p->huge_chunked_bytes, Unsigned(value, where));
    } else if (key == "gzip_bomb_bytes") {
      CNAKE_ASSIGN_OR_RETURN(p->gzip_bomb_bytes, Unsigned(value, where));
      if (p->gzip_bomb_bytes > (16ull << 30)) return Invalid(where, "at most 16 GiB");
    } else if (key == "drip_interval_ms") {
      CNAKE_ASSIGN_OR_RETURN(p->drip_interval, Millis(value, where));
    } else if (key == "hang_max_s") {
      CNAKE_ASSIGN_OR_RETURN(uint64_t s, Unsigned(value, where));
      p->hang_max = std::chrono::seconds(std::min<uint64_t>(s, 86400));
    } else if (key == "truncate_fraction") {
      CNAKE_ASSIGN_OR_RETURN(p->truncate_fraction, Probability(value, where));
    } else if (key == "nesting_depth") {
      CNAKE_ASSIGN_OR_RETURN(p->nesting_depth, Unsigned(value, where));
      if (p->nesting_depth > 100'000'000) return Invalid(where, "at most 100000000");
    } else if (key == "huge_request_id_bytes") {
      CNAKE_ASSIGN_OR_RETURN(p->huge_request_id_bytes, Unsigned(value, where));
      if (p->huge_request_id_bytes > (1ull << 30)) return Invalid(where, "at most 1 GiB");
    } else if (key == "redirect_base") {
      if (!value.is_string()) return Invalid(where, "expected a URL string");
      p->redirect_base = value.get<std::string>();
    } else {
      return Invalid(where, "unknown parameter");
    }
  }
  return Status::Ok();
}

Status ParseEndpoints(const nlohmann::json& v, Scenario* s) {
  if (!v.is_object()) return Invalid("endpoints", "expected an object");
  std::map<Fault, double> wildcard_rates;
  std::optional<LatencyRule> wildcard_latency;
  if (v.contains("*")) {
    CNAKE_RETURN_IF_ERROR(
        ParseEndpoint(v["*"], "endpoints.*", false, true, &wildcard_rates, &wildcard_latency));
  }
  for (const auto& [key, value] : v.items()) {
    if (key != "*" && std::find(std::begin(kEndpointNames), std::end(kEndpointNames), key) ==
                          std::end(kEndpointNames)) {
      return Invalid("endpoints." + key, "unknown endpoint (generate, status, results, health, *)");
    }
  }
  for (size_t e = 0; e < kEndpointCount; ++e) {
    std::map<Fault, double> rates = wildcard_rates;
    std::optional<LatencyRule> latency = wildcard_latency;
    const std::string name = kEndpointNames[e];
    if (v.contains(name)) {
      CNAKE_RETURN_IF_ERROR(
          ParseEndpoint(v[name], "endpoints." + name, e == 0, false, &rates, &latency));
    }
    double total = 0;
    EndpointRules& rules = s->endpoints[e];
    for (const auto& [fault, rate] : rates) {
      total += rate;
      if (rate > 0) rules.rates.emplace_back(fault, rate);
    }
    if (total > 1 + 1e-9) {
      return Invalid("endpoints." + name, "fault rates add up to more than 1");
    }
    if (latency) rules.latency = *latency;
  }
  return Status::Ok();
}

double Ms(Micros d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace

const char* EndpointName(Endpoint endpoint) {
  return kEndpointNames[static_cast<size_t>(endpoint)];
}

const char* FaultName(Fault fault) { return kFaultNames[static_cast<size_t>(fault)]; }

std::optional<Fault> FaultFromName(std::string_view name) {
  for (size_t i = 1; i < std::size(kFaultNames); ++i) {
    if (name == kFaultNames[i]) return static_cast<Fault>(i);
  }
  return std::nullopt;
}

bool IsGenerateOnly(Fault fault) { return fault >= Fault::kEvilRequestId && fault < Fault::kCount; }

bool FaultCreatesJob(Fault fault) {
  switch (fault) {
    case Fault::kStatus429:
    case Fault::kStatus503:
    case Fault::kStatus401:
    case Fault::kStatus400:
    case Fault::kStatus422:
    case Fault::kRedirect:
    case Fault::kEvilRequestId:
    case Fault::kHugeRequestId:
    case Fault::kInsufficientQuota:
      return false;
    default:
      return true;
  }
}

Result<Scenario> Scenario::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Invalid("top level", "expected a JSON object");
  Scenario s;
  for (const auto& [key, value] : json.items()) {
    if (key == "seed") {
      CNAKE_ASSIGN_OR_RETURN(s.seed, Unsigned(value, "seed"));
    } else if (key == "delay") {
      if (!value.is_string()) return Invalid("delay", "expected a string like \"fixed:200ms\"");
      auto delay = DelaySpec::Parse(value.get<std::string>());
      if (!delay.ok()) return Invalid("delay", delay.status().message());
      s.delay = *delay;
    } else if (key == "duration_s") {
      if (!value.is_number() || value.get<double>() <= 0) {
        return Invalid("duration_s", "expected a positive number of seconds");
      }
      s.duration = Micros(static_cast<int64_t>(std::llround(value.get<double>() * 1e6)));
    } else if (key == "endpoints") {
      CNAKE_RETURN_IF_ERROR(ParseEndpoints(value, &s));
    } else if (key == "params") {
      CNAKE_RETURN_IF_ERROR(ParseParams(value, &s.params));
    } else if (key == "comment" || key == "name") {
      // Free-form, for humans.
    } else {
      return Invalid(key, "unknown field");
    }
  }
  return s;
}

Result<Scenario> Scenario::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return IoError("cannot open scenario file " + path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgument("scenario file " + path + " is not valid JSON");
  auto scenario = FromJson(json);
  if (!scenario.ok()) return scenario.status().WithContext(path);
  return scenario;
}

nlohmann::json Scenario::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  if (seed) out["seed"] = *seed;
  if (delay) out["delay"] = delay->ToString();
  if (duration) out["duration_s"] = static_cast<double>(duration->count()) / 1e6;
  nlohmann::json endpoints = nlohmann::json::object();
  for (size_t e = 0; e < kEndpointCount; ++e) {
    nlohmann::json rules = nlohmann::json::object();
    for (const auto& [fault, rate] : this->endpoints[e].rates) rules[FaultName(fault)] = rate;
    const LatencyRule& latency = this->endpoints[e].latency;
    if (latency.rate > 0) {
      rules["latency"] = {
          {"rate", latency.rate}, {"ms", Ms(latency.base)}, {"jitter_ms", Ms(latency.jitter)}};
    }
    endpoints[kEndpointNames[e]] = std::move(rules);
  }
  out["endpoints"] = std::move(endpoints);
  const char* form = params.retry_after_form == RetryAfterForm::kSeconds    ? "seconds"
                     : params.retry_after_form == RetryAfterForm::kHttpDate ? "http-date"
                                                                            : "alternate";
  out["params"] = {{"retry_after_s", params.retry_after_s},
                   {"retry_after_form", form},
                   {"oversized_bytes", params.oversized_bytes},
                   {"huge_chunked_bytes", params.huge_chunked_bytes},
                   {"gzip_bomb_bytes", params.gzip_bomb_bytes},
                   {"drip_interval_ms", Ms(params.drip_interval)},
                   {"hang_max_s", params.hang_max.count() / 1000000},
                   {"truncate_fraction", params.truncate_fraction},
                   {"nesting_depth", params.nesting_depth},
                   {"huge_request_id_bytes", params.huge_request_id_bytes},
                   {"redirect_base", params.redirect_base}};
  return out;
}

bool Scenario::HasFaults(Endpoint endpoint) const {
  const EndpointRules& rules = endpoints[static_cast<size_t>(endpoint)];
  return !rules.rates.empty() || rules.latency.rate > 0;
}

Decision Decide(const Scenario& scenario, uint64_t seed, Endpoint endpoint, std::string_view key,
                uint32_t attempt) {
  Decision d;
  const EndpointRules& rules = scenario.endpoints[static_cast<size_t>(endpoint)];
  if (rules.rates.empty() && rules.latency.rate <= 0) return d;
  uint64_t h = HashCombine(Mix64(seed), static_cast<uint64_t>(endpoint) + 1);
  h = HashCombine(h, Fnv1a64(key));
  h = HashCombine(h, attempt);
  d.hash = h;
  const double u = UnitInterval(h);
  double cumulative = 0;
  for (const auto& [fault, rate] : rules.rates) {
    cumulative += rate;
    if (u < cumulative) {
      d.fault = fault;
      break;
    }
  }
  const LatencyRule& latency = rules.latency;
  if (latency.rate > 0) {
    const uint64_t lh = HashCombine(h, kLatencySalt);
    if (UnitInterval(lh) < latency.rate) {
      const double jitter =
          (2 * UnitInterval(Mix64(lh)) - 1) * static_cast<double>(latency.jitter.count());
      d.latency = std::max(Micros(0), latency.base + Micros(static_cast<int64_t>(jitter)));
    }
  }
  return d;
}

}  // namespace cnake::server
