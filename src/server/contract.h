// The CnakeCharmer API contract as data: request validation with
// FastAPI/pydantic-shaped 422 details, and the response bodies. No I/O.
// docs/api.md is the human-readable version; keep the two in step.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/job_engine.h"

namespace cnake::server {

struct GenerateRequest {
  std::string prompt;
  std::vector<std::string> target_languages;
  std::string source_language = "cython";
  std::string source_code;
  bool has_source_code = false;
  bool equivalency_check = true;
  int optimization_level = 1;
  std::optional<std::vector<std::string>> analysis_types;
  int max_attempts = 3;
  nlohmann::json metadata = nlohmann::json::object();
  // SHA-256 of the body re-serialised with sorted keys, so key order and
  // whitespace do not make two equal requests "different" for idempotency.
  std::string canonical_hash;
};

// Parses and validates a /generate body. On success fills `out` and returns
// true. Otherwise returns false with `detail` set to the 422 list of
// {type, loc, msg, input[, ctx]}; `out` still carries whatever could be read
// (metadata, source_code) so the request log can record it.
bool ParseGenerateRequest(std::string_view body, GenerateRequest* out, nlohmann::json* detail);

// {"detail": [ {type, loc, msg} ]} for a single error.
nlohmann::json ValidationError(nlohmann::json loc, std::string msg, std::string type);

nlohmann::json DetailJson(std::string_view detail);  // {"detail": "..."}
nlohmann::json NotFoundJson(std::string_view request_id);
nlohmann::json AcceptedJson(std::string_view request_id);
nlohmann::json StatusJson(const JobSnapshot& job);
// The full result shape; generated_code is null until the job completed.
nlohmann::json ResultsJson(const JobSnapshot& job);

// The JSON text sent on the wire (invalid UTF-8 from clients is replaced).
std::string Dump(const nlohmann::json& json);

}  // namespace cnake::server
