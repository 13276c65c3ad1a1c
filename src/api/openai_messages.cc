#include "api/openai_messages.h"

#include <cmath>
#include <limits>

#include "api/api_messages.h"

namespace cnake::api {
namespace {

using nlohmann::json;

Status ParseError(std::string message) { return {StatusCode::kParse, std::move(message)}; }

// Text for the members the error object may hold as a string or a number.
std::string TextOf(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

// A token count: a non-negative integer, or a float with an integral value
// (some servers serialise counts as 12.0). Anything else is "not reported".
std::optional<std::int64_t> TokenCount(const json& usage, const char* name) {
  auto it = usage.find(name);
  if (it == usage.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_unsigned()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(
        it->get<std::uint64_t>(), std::numeric_limits<std::int64_t>::max()));
  }
  if (it->is_number_integer()) {
    const auto v = it->get<std::int64_t>();
    return v >= 0 ? std::optional<std::int64_t>(v) : std::nullopt;
  }
  const double d = it->get<double>();
  if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d > 9e18) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// message.content: a string, null, or a list of parts of which the text ones
// ({"type": "text", "text": ...}, or bare strings) are concatenated.
Result<std::string> ContentText(const json& message) {
  auto it = message.find("content");
  if (it == message.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_array()) {
    return ParseError(std::string("\"choices[0].message.content\" is a ") + it->type_name() +
                      ", not a string");
  }
  std::string text;
  for (const json& part : *it) {
    if (part.is_string()) {
      text += part.get<std::string>();
    } else if (part.is_object()) {
      auto t = part.find("text");
      if (t != part.end() && t->is_string()) text += t->get<std::string>();
    }
  }
  return text;
}

}  // namespace

std::string BuildChatBody(const ChatRequestOptions& options, std::string_view user_message) {
  json body = options.extra_body.is_object() ? options.extra_body : json::object();
  json messages = json::array();
  if (!options.system_prompt.empty()) {
    messages.push_back({{"role", "system"}, {"content", options.system_prompt}});
  }
  messages.push_back({{"role", "user"}, {"content", std::string(user_message)}});
  body["model"] = options.model;
  body["messages"] = std::move(messages);
  body["stream"] = false;
  body.erase("n");
  body.erase("stream_options");
  if (options.temperature) body["temperature"] = *options.temperature;
  if (options.max_tokens) body["max_tokens"] = *options.max_tokens;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ChatReply> ParseChatReply(std::string_view body) {
  CNAKE_ASSIGN_OR_RETURN(json doc, ParseJsonLimited(body));
  if (!doc.is_object())
    return ParseError(std::string("expected a JSON object, got ") + doc.type_name());
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty()) {
    if (auto error = ParseApiError(body)) {
      return ParseError("the answer holds an error instead of choices: " + ParseErrorDetail(body));
    }
    return ParseError("missing or empty \"choices\"");
  }
  const json& choice = choices->front();
  if (!choice.is_object()) return ParseError("\"choices[0]\" is not an object");
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    return ParseError("\"choices[0].message\" is missing or not an object");
  }
  ChatReply reply;
  CNAKE_ASSIGN_OR_RETURN(reply.content, ContentText(*message));
  reply.id = TextOf(doc, "id");
  reply.model = TextOf(doc, "model");
  reply.finish_reason = TextOf(choice, "finish_reason");
  if (auto refusal = message->find("refusal"); refusal != message->end() && refusal->is_string()) {
    reply.refusal = refusal->get<std::string>();
  }
  if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
    reply.prompt_tokens = TokenCount(*usage, "prompt_tokens");
    reply.completion_tokens = TokenCount(*usage, "completion_tokens");
  }
  return reply;
}

Result<std::vector<std::string>> ParseModelIds(std::string_view body) {
  CNAKE_ASSIGN_OR_RETURN(json doc, ParseJsonLimited(body));
  const json* list = &doc;
  if (doc.is_object()) {
    auto data = doc.find("data");
    if (data == doc.end() || !data->is_array()) {
      return ParseError("the model list has no \"data\" array");
    }
    list = &*data;
  } else if (!doc.is_array()) {
    return ParseError(std::string("expected a model list, got ") + doc.type_name());
  }
  std::vector<std::string> ids;
  for (const json& model : *list) {
    if (model.is_string()) {
      ids.push_back(model.get<std::string>());
    } else if (model.is_object()) {
      auto id = model.find("id");
      if (id != model.end() && id->is_string()) ids.push_back(id->get<std::string>());
    }
  }
  return ids;
}

std::optional<ApiError> ParseApiError(std::string_view body) {
  auto doc = ParseJsonLimited(body);
  if (!doc.ok() || !doc->is_object()) return std::nullopt;
  const json* err = nullptr;
  if (auto it = doc->find("error"); it != doc->end() && it->is_object()) {
    err = &*it;
  } else if (doc->value("object", json()) == "error") {
    err = &*doc;
  }
  if (err == nullptr) return std::nullopt;
  return ApiError{TextOf(*err, "message"), TextOf(*err, "type"), TextOf(*err, "code")};
}

bool IsQuotaError(const ApiError& error) {
  for (const std::string* s : {&error.type, &error.code}) {
    if (*s == "insufficient_quota" || *s == "credit_balance_exhausted" ||
        *s == "organization_spend_limit_exceeded" || *s == "project_spend_limit_exceeded" ||
        *s == "organization_usage_limit_exceeded") {
      return true;
    }
  }
  return false;
}

}  // namespace cnake::api
