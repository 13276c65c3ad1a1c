// Fault scenarios and the deterministic fault decision.
//
// A Scenario says, per endpoint, with which probability each fault is
// injected, plus an independent added-latency rule and the parameters that
// shape hostile responses. It is written as JSON (docs/api.md, "Fault
// injection") and is immutable once parsed.
//
// Decide() is a pure function of (seed, endpoint, key, attempt): the same
// scenario and the same request history per key give the same faults, however
// requests from different keys interleave. The HTTP layer chooses the key:
// the Idempotency-Key (or the body hash) of a submission, carried over to the
// job's status/results requests. At most one fault is picked per request.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/clock.h"
#include "server/delay_spec.h"
#include "util/status.h"

namespace cnake::server {

enum class Endpoint { kGenerate = 0, kStatus, kResults, kHealth };
inline constexpr size_t kEndpointCount = 4;
const char* EndpointName(Endpoint endpoint);

// Order matters: it is the order of the cumulative draw in Decide().
enum class Fault {
  kNone = 0,
  kStatus429,
  kStatus500,
  kStatus502,
  kStatus503,
  kStatus504,
  kStatus401,
  kStatus400,
  kStatus422,
  kHang,
  kResetBefore,
  kResetMid,
  kTruncated,
  kMalformedJson,
  kOversized,
  kSlowDrip,
  kHugeChunked,
  kGzipBomb,
  kDeepNesting,
  kInvalidUtf8,
  kNulBytes,
  kRedirect,
  kEvilRequestId,      // generate only
  kHugeRequestId,      // generate only
  kJobFailed,          // generate only
  kJobNeverCompletes,  // generate only
  kJobLost,            // generate only
  // Chat replies (--protocol openai; no effect on the CnakeCharmer contract):
  kNoFence,            // generate only: the code without a fenced block
  kProse,              // generate only: prose before and after the fenced code
  kLength,             // generate only: cut in half, finish_reason "length"
  kInsufficientQuota,  // generate only: 429 whose error says the quota is used up
  kCount,
};

// Scenario and log name: "429", "reset_mid", "job_lost", ...; null for kNone.
const char* FaultName(Fault fault);
std::optional<Fault> FaultFromName(std::string_view name);
bool IsGenerateOnly(Fault fault);
// On /generate: whether the job is created before the fault damages the
// response (true), or the request is rejected without side effects (false).
bool FaultCreatesJob(Fault fault);

struct LatencyRule {
  double rate = 0;
  Micros base{0};
  Micros jitter{0};  // uniform in [-jitter, +jitter], result clamped at 0
};

struct EndpointRules {
  std::vector<std::pair<Fault, double>> rates;  // sorted by Fault, rates > 0
  LatencyRule latency;
};

enum class RetryAfterForm { kSeconds, kHttpDate, kAlternate };

struct FaultParams {
  int retry_after_s = 1;
  RetryAfterForm retry_after_form = RetryAfterForm::kAlternate;
  uint64_t oversized_bytes = 50ull << 20;
  uint64_t huge_chunked_bytes = 50ull << 20;
  uint64_t gzip_bomb_bytes = 1ull << 30;  // decompressed size
  Micros drip_interval = std::chrono::milliseconds(100);
  Micros hang_max = std::chrono::seconds(600);
  double truncate_fraction = 0.5;
  uint64_t nesting_depth = 100000;
  uint64_t huge_request_id_bytes = 10240;
  std::string redirect_base = "http://127.0.0.1:9";  // the request path is appended
};

struct Scenario {
  std::optional<uint64_t> seed;    // unset: the server's --seed
  std::optional<DelaySpec> delay;  // unset: keep the server's --delay
  std::optional<Micros> duration;  // set: revert to the previous scenario after it
  std::array<EndpointRules, kEndpointCount> endpoints;
  FaultParams params;

  // Errors (kInvalidArgument) name the offending field.
  static Result<Scenario> FromJson(const nlohmann::json& json);
  static Result<Scenario> FromFile(const std::string& path);
  // Canonical form: every endpoint spelled out, no "*".
  nlohmann::json ToJson() const;
  bool HasFaults(Endpoint endpoint) const;
};

struct Decision {
  Fault fault = Fault::kNone;
  Micros latency{0};
  uint64_t hash = 0;  // drives secondary choices (e.g. the Retry-After form)
};

Decision Decide(const Scenario& scenario, uint64_t seed, Endpoint endpoint, std::string_view key,
                uint32_t attempt);

}  // namespace cnake::server
