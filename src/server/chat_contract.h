// The OpenAI chat completions subset the reference server speaks with
// --protocol openai (docs/api.md, "The reference server in openai mode"), as
// data: request validation with OpenAI-shaped errors, the reply the
// translator's output becomes (and how reply faults change it), the model
// list, token counts, and OpenAI's duration format for reset headers. No I/O.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/clock.h"
#include "server/fault_plan.h"

namespace cnake::server {

struct ChatRequest {
  std::string model;
  std::vector<std::pair<std::string, std::string>> messages;  // role, content
  std::optional<std::int64_t> max_tokens;  // max_tokens or max_completion_tokens
  std::string code;            // the Cython taken from the last user message
  std::string canonical_hash;  // SHA-256 of the body with sorted keys
};

// Parses a POST /chat/completions body. False with `error` set to the 400
// body ({"error": {...}}) when it is not a chat request this server serves:
// not JSON, no model, no messages, a message without string content, or
// "stream": true.
bool ParseChatRequest(std::string_view body, ChatRequest* out, nlohmann::json* error);

// The code in a user message: the first fenced block (``` or ~~~, any
// language), else the whole message.
std::string CodeFromMessage(std::string_view content);

// Token counts by the server's rule: ceil(bytes / 4) per text; a prompt adds
// 4 per message and 3 for the reply's priming (as OpenAI's cookbook counts).
std::int64_t CountTokens(std::string_view text);
std::int64_t PromptTokens(const ChatRequest& request);

// {"error": {"message", "type", "param", "code"}}.
nlohmann::json OpenAiError(std::string_view message, std::string_view type,
                           const nlohmann::json& param = nullptr,
                           const nlohmann::json& code = nullptr);

// {"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}.
nlohmann::json ModelsJson(const std::vector<std::string>& models);

struct ChatReply {
  std::string code;  // the python as the reply carries it (with a final newline)
  std::string content;
  std::string finish_reason = "stop";
  bool complete = true;  // the whole python is in the reply (for the request log)
};

// The reply for `python` under a reply fault (kNoFence, kProse, kLength; any
// other fault: the normal reply, one ```python block). A reply longer than
// `max_tokens` is cut there with finish_reason "length".
ChatReply ReplyFor(std::string_view python, Fault fault, std::optional<std::int64_t> max_tokens);

nlohmann::json ChatCompletionJson(std::string_view id, std::string_view model,
                                  const ChatReply& reply, std::int64_t prompt_tokens,
                                  std::int64_t completion_tokens, std::int64_t created);

// OpenAI's (Go's) duration text: "250ms", "1s", "1.5s", "6m0s", "1h2m3s".
std::string FormatResetDuration(Micros d);

}  // namespace cnake::server
