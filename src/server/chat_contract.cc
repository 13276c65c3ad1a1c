#include "server/chat_contract.h"

#include <algorithm>
#include <cstdio>

#include "server/hashing.h"

namespace cnake::server {
namespace {

using nlohmann::json;

std::string DumpReplacing(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The length of a fence at the start of `line` (3+ backticks or tildes after
// at most three spaces), 0 when there is none; `ch` receives its character.
std::size_t FenceAt(std::string_view line, char* ch) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return 0;
  *ch = line[i];
  std::size_t n = 0;
  while (i + n < line.size() && line[i + n] == *ch) ++n;
  return n >= 3 ? n : 0;
}

// Text of a message: a string, or the text parts of a list.
std::optional<std::string> ContentText(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return std::nullopt;
  std::string text;
  for (const json& part : content) {
    if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
        part["text"].is_string()) {
      text += part["text"].get<std::string>();
    }
  }
  return text;
}

// Cuts `s` to at most `max` bytes on a UTF-8 boundary.
std::string CutUtf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut));
}

}  // namespace

bool ParseChatRequest(std::string_view body, ChatRequest* out, json* error) {
  auto fail = [&](const std::string& message, const json& param) {
    *error = OpenAiError(message, "invalid_request_error", param);
    return false;
  };
  const json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail("We could not parse the JSON body of your request: expected a JSON object.",
                nullptr);
  }
  out->canonical_hash = Sha256Hex(DumpReplacing(doc));  // json objects dump with sorted keys
  auto model = doc.find("model");
  if (model == doc.end() || !model->is_string() || model->get<std::string>().empty()) {
    return fail("you must provide a model parameter", "model");
  }
  out->model = model->get<std::string>();
  auto messages = doc.find("messages");
  if (messages == doc.end() || !messages->is_array() || messages->empty()) {
    return fail("'messages' must be a non-empty array", "messages");
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return fail(where + " must be an object with a string 'role'", where);
    }
    std::optional<std::string> text = ContentText(m.value("content", json()));
    if (!text) return fail(where + ".content must be a string or a list of parts", where);
    out->messages.emplace_back(m["role"].get<std::string>(), std::move(*text));
  }
  if (doc.value("stream", false) == true) {
    return fail("stream is not supported by this server", "stream");
  }
  for (const char* name : {"max_tokens", "max_completion_tokens"}) {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1) {
      return fail(std::string("'") + name + "' must be an integer >= 1", name);
    }
    out->max_tokens = it->get<std::int64_t>();
  }
  for (auto it = out->messages.rbegin(); it != out->messages.rend(); ++it) {
    if (it->first == "user") {
      out->code = CodeFromMessage(it->second);
      break;
    }
  }
  return true;
}

std::string CodeFromMessage(std::string_view message) {
  std::string_view content = message;
  std::string code;
  std::size_t open = 0;
  char ch = 0;
  while (!content.empty()) {
    const std::size_t eol = content.find('\n');
    std::string_view line = content.substr(0, eol);
    content.remove_prefix(eol == std::string_view::npos ? content.size() : eol + 1);
    char here = 0;
    const std::size_t fence = FenceAt(line, &here);
    if (open == 0) {
      if (fence > 0) {
        open = fence;
        ch = here;
      }
      continue;
    }
    if (fence >= open && here == ch && line.find_first_not_of(" `~") == std::string_view::npos) {
      return code;
    }
    code.append(line).push_back('\n');
  }
  return open > 0 ? code : std::string(message);
}

std::int64_t CountTokens(std::string_view text) {
  return static_cast<std::int64_t>((text.size() + 3) / 4);
}

std::int64_t PromptTokens(const ChatRequest& request) {
  std::int64_t n = 3;
  for (const auto& [role, content] : request.messages) n += 4 + CountTokens(content);
  return n;
}

json OpenAiError(std::string_view message, std::string_view type, const json& param,
                 const json& code) {
  return {{"error",
           {{"message", std::string(message)},
            {"type", std::string(type)},
            {"param", param},
            {"code", code}}}};
}

json ModelsJson(const std::vector<std::string>& models) {
  json data = json::array();
  for (const std::string& id : models) {
    data.push_back({{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "cnake"}});
  }
  return {{"object", "list"}, {"data", std::move(data)}};
}

ChatReply ReplyFor(std::string_view python, Fault fault, std::optional<std::int64_t> max_tokens) {
  std::string code(python);
  if (!code.empty() && code.back() != '\n') code += '\n';
  ChatReply reply;
  reply.code = code;
  const std::string fenced = "```python\n" + code + "```";
  switch (fault) {
    case Fault::kNoFence:
      reply.content = code;
      break;
    case Fault::kProse:
      reply.content = "Here is the equivalent pure Python:\n\n" + fenced +
                      "\n\nThe C declarations became ordinary Python names.";
      break;
    case Fault::kLength:
      reply.content = CutUtf8(fenced, fenced.size() / 2);
      reply.finish_reason = "length";
      reply.complete = false;
      break;
    default:
      reply.content = fenced;
      break;
  }
  if (max_tokens && CountTokens(reply.content) > *max_tokens) {
    reply.content = CutUtf8(reply.content, static_cast<std::size_t>(*max_tokens) * 4);
    reply.finish_reason = "length";
    reply.complete = false;
  }
  return reply;
}

json ChatCompletionJson(std::string_view id, std::string_view model, const ChatReply& reply,
                        std::int64_t prompt_tokens, std::int64_t completion_tokens,
                        std::int64_t created) {
  const json message = {{"role", "assistant"}, {"content", reply.content}, {"refusal", nullptr}};
  return {{"id", std::string(id)},
          {"object", "chat.completion"},
          {"created", created},
          {"model", std::string(model)},
          {"choices", json::array({{{"index", 0},
                                    {"message", message},
                                    {"logprobs", nullptr},
                                    {"finish_reason", reply.finish_reason}}})},
          {"usage",
           {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", completion_tokens},
            {"total_tokens", prompt_tokens + completion_tokens}}}};
}

std::string FormatResetDuration(Micros d) {
  const std::int64_t us = std::max<std::int64_t>(d.count(), 0);
  if (us < 1000000) {
    return std::to_string((us + 999) / 1000) + "ms";  // rounded up: never too early
  }
  const std::int64_t hours = us / 3600000000;
  const std::int64_t minutes = us / 60000000 % 60;
  const std::int64_t millis = us / 1000 % 60000;  // seconds with milliseconds
  char seconds[32];
  if (millis % 1000 == 0) {
    std::snprintf(seconds, sizeof seconds, "%llds", static_cast<long long>(millis / 1000));
  } else {
    std::snprintf(seconds, sizeof seconds, "%lld.%03llds", static_cast<long long>(millis / 1000),
                  static_cast<long long>(millis % 1000));
    std::string s(seconds);
    while (s.size() > 2 && s[s.size() - 2] == '0') s.erase(s.size() - 2, 1);  // 1.500s -> 1.5s
    std::snprintf(seconds, sizeof seconds, "%s", s.c_str());
  }
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  return out + seconds;
}

}  // namespace cnake::server
