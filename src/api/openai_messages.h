// The subset of the OpenAI API the client uses (docs/api.md, "OpenAI-compatible
// servers"): the chat completion request it sends, the answer it reads, the
// model list of the health check and the error object.
//
// Strict in what we send: only documented fields, one user message (plus the
// system message), "stream": false. Lenient in what we accept: unknown fields
// are ignored, "usage" may be missing or partial, token counts may be written
// as floats, "content" may be a string, null or a list of text parts, an
// error may be OpenAI's {"error": {...}} or vLLM's {"object": "error", ...}.
//
// Pure functions over text, thread-safe, never throw; bodies come from the
// network, so parsing reuses ParseJsonLimited's depth and UTF-8 checks.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cnake::api {

inline constexpr std::string_view kChatCompletionsPath = "/chat/completions";
inline constexpr std::string_view kModelsPath = "/models";

struct ChatRequestOptions {
  std::string model;
  std::string system_prompt;          // empty: no system message
  std::optional<double> temperature;  // nullopt: not sent (the server's default)
  std::optional<std::int64_t> max_tokens;
  // Extra members of the request object (e.g. {"top_p": 0.9} or vLLM's
  // {"top_k": 50}); an object. The client's own members win: model,
  // messages and stream are always its own, n and stream_options are
  // dropped (one non-streamed choice), temperature and max_tokens when
  // configured.
  nlohmann::json extra_body = nlohmann::json::object();
};

// The POST /chat/completions body. Invalid UTF-8 becomes U+FFFD.
std::string BuildChatBody(const ChatRequestOptions& options, std::string_view user_message);

struct ChatReply {
  std::string id;
  std::string model;
  std::string content;        // choices[0].message.content; "" when null
  std::string finish_reason;  // "" when absent or null
  std::string refusal;        // choices[0].message.refusal when a non-empty string
  std::optional<std::int64_t> prompt_tokens, completion_tokens;
};

// Requires an object with a non-empty "choices" array whose first member is
// an object with a "message" object; everything else is optional. A body with
// an "error" object instead of choices (some gateways answer errors with 200)
// is a parse error naming that error's message.
Result<ChatReply> ParseChatReply(std::string_view body);

// The ids in a GET /models answer ({"object": "list", "data": [{"id": ...}]});
// members without a string id are skipped. A plain list of ids or of model
// objects is accepted too.
Result<std::vector<std::string>> ParseModelIds(std::string_view body);

// An OpenAI-style error object, from {"error": {"message", "type", "code",
// "param"}} or vLLM's top-level {"object": "error", "message", "type",
// "code"}. `code` is kept as text (vLLM sends a number). nullopt when the
// body is neither.
struct ApiError {
  std::string message, type, code;
};
std::optional<ApiError> ParseApiError(std::string_view body);

// True when an error object says the account has no credit or quota left
// (type or code "insufficient_quota", or one of OpenAI's billing codes).
bool IsQuotaError(const ApiError& error);

}  // namespace cnake::api
