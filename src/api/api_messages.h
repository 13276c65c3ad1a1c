// Request bodies and response parsing for the CnakeCharmer API (docs/api.md).
//
// Pure functions over text: no I/O, thread-safe, and they never throw. Response
// bodies come from the network and are untrusted, so every parser reports
// malformed input as StatusCode::kParse with a short message that names the
// problem (never the body itself, which may be huge). Specifically:
//   * nesting deeper than kMaxJsonDepth is rejected before parsing, so a
//     100,000-deep "[[[[..." cannot exhaust the stack or memory;
//   * invalid UTF-8 inside a JSON string is a parse error;
//   * "\u0000" inside a string is valid JSON and is kept: the std::string holds
//     the NUL byte. Consumers that hand such a string to a C API must use the
//     length, not strlen (DuckDB's bind API does);
//   * a top level that is not an object, or a required field of the wrong
//     type, is a parse error.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scheduler/retry_policy.h"
#include "util/status.h"

namespace cnake::api {

inline constexpr int kMaxJsonDepth = 64;
inline constexpr std::size_t kMaxDetailLength = 300;

struct GenerateInput {
  std::string prompt;
  std::string source_code;
  std::string source_id;  // the entry id; always sent in metadata
  std::string batch_id;   // always sent in metadata
  // Extra metadata members. Must be an object or null; source_id and batch_id
  // above override members of the same name.
  nlohmann::json extra_metadata = nlohmann::json::object();
};

// The POST /generate body. Invalid UTF-8 in any input is replaced by U+FFFD
// rather than failing the request (the server would reject it anyway).
std::string BuildGenerateBody(const GenerateInput& input);

enum class JobStatus { kPending, kProcessing, kCompleted, kFailed, kUnknown };

// "pending", "processing", "completed", "failed", "unknown".
const char* JobStatusName(JobStatus status);

struct StatusResponse {
  JobStatus status = JobStatus::kUnknown;
  std::string raw_status;             // the server's text, kept for an unknown value
  std::optional<double> progress;     // as sent (0..1 or 0..100, server's choice); finite only
  std::optional<double> eta_seconds;  // finite and >= 0 only
};

// Tokens a request used, as the API reported them (OpenAI's "usage"); a
// member is nullopt when the answer did not report it.
struct TokenUsage {
  std::optional<std::int64_t> prompt_tokens, completion_tokens;
  bool reported() const { return prompt_tokens.has_value() || completion_tokens.has_value(); }
};

struct ResultResponse {
  JobStatus status = JobStatus::kUnknown;
  std::string raw_status;
  // generated_code.python. nullopt when generated_code or python is absent or
  // null; for a completed job that is the distinct "missing_python" outcome
  // (see missing_python()), not a parse error. A python of another type than
  // string is a parse error.
  std::optional<std::string> python;
  // Kept verbatim (null when absent) so the engine can store them as metadata.
  nlohmann::json build_results;
  nlohmann::json analysis_results;
  nlohmann::json equivalency_result;
  // Non-string members of a list are skipped; a non-list is ignored.
  std::vector<std::string> error_messages;

  // Set by the chat protocol only (api.protocol = openai; see protocol.h):
  TokenUsage usage;
  // Why a failed chat reply holds no usable code (with status kFailed).
  scheduler::ReplyProblem problem = scheduler::ReplyProblem::kNone;
  // {"model", "finish_reason", "extraction"} for the result's metadata; null otherwise.
  nlohmann::json reply_info;

  bool missing_python() const { return status == JobStatus::kCompleted && !python.has_value(); }
};

struct SubmitAccepted {
  std::string request_id;             // not yet validated: see IsAcceptableRequestId()
  std::optional<double> eta_seconds;  // when the answer carries an "eta" (finite, >= 0)
};

// Asynchronous deployments answer POST /generate with {"request_id": ...};
// synchronous ones answer with the full result (status completed or failed).
using SubmitResponse = std::variant<SubmitAccepted, ResultResponse>;

// A body whose "status" is "completed" or "failed" is a synchronous result
// (parsed as by ParseResultResponse); otherwise a string "request_id" is
// required.
Result<SubmitResponse> ParseSubmitResponse(std::string_view body);
// Requires a string "status"; progress and eta are optional and ignored when
// null, non-numeric or non-finite.
Result<StatusResponse> ParseStatusResponse(std::string_view body);
// Requires a string "status".
Result<ResultResponse> ParseResultResponse(std::string_view body);

// A one-line human summary of an error body, at most kMaxDetailLength bytes
// (plus "..." when cut): FastAPI's {"detail": "text"} gives the text,
// {"detail": [{"loc": [...], "msg": ...}, ...]} gives "loc.path: msg; ...".
// Anything else gives the start of the body with control characters replaced.
// Never fails.
std::string ParseErrorDetail(std::string_view body);

// Parses `text` as JSON with the depth limit and UTF-8 checks above. Exposed
// for callers that read other JSON bodies (e.g. /health).
Result<nlohmann::json> ParseJsonLimited(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace cnake::api
