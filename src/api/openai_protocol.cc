// OpenAI chat completions behind the protocol seam (protocol.h): one
// synchronous POST {base}/chat/completions per attempt, the Python taken from
// the reply (code_extraction.h), GET {base}/models as the health check.
#include <algorithm>

#include "api/code_extraction.h"
#include "api/openai_messages.h"
#include "api/protocol.h"

namespace cnake::api {
namespace {

using nlohmann::json;

// At most this much of a reply goes into an error message.
constexpr std::size_t kReplyExcerpt = 160;

std::string Excerpt(std::string_view text) {
  std::string out(text.substr(0, kReplyExcerpt));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (text.size() > kReplyExcerpt) out += "...";
  return out;
}

ResultResponse Failed(scheduler::ReplyProblem problem, std::string message) {
  ResultResponse r;
  r.status = JobStatus::kFailed;
  r.raw_status = "failed";
  r.problem = problem;
  r.error_messages.push_back(std::move(message));
  return r;
}

// The reply as the engine's result: the extracted code, or why there is none.
ResultResponse ResultOf(const ChatReply& reply) {
  ResultResponse r;
  if (reply.finish_reason == "length") {
    r = Failed(scheduler::ReplyProblem::kTruncated,
               "the reply was cut at the token limit (finish_reason \"length\"); raise "
               "api.max_tokens");
  } else if (!reply.refusal.empty() || reply.finish_reason == "content_filter") {
    r = Failed(scheduler::ReplyProblem::kRefused,
               reply.refusal.empty() ? std::string("the reply was withheld by a content filter")
                                     : "the model refused: " + Excerpt(reply.refusal));
  } else if (std::optional<ExtractedCode> code = ExtractPython(reply.content)) {
    r.status = JobStatus::kCompleted;
    r.raw_status = "completed";
    r.python = std::move(code->code);
    r.reply_info["extraction"] = ExtractionRuleName(code->rule);
  } else {
    r = Failed(scheduler::ReplyProblem::kNoCode,
               reply.content.empty()
                   ? std::string("the reply is empty")
                   : "the reply has no fenced code block and does not look like code: \"" +
                         Excerpt(reply.content) + "\"");
  }
  r.usage.prompt_tokens = reply.prompt_tokens;
  r.usage.completion_tokens = reply.completion_tokens;
  r.reply_info["model"] = reply.model;
  r.reply_info["finish_reason"] = reply.finish_reason;
  return r;
}

class OpenAiProtocol final : public Protocol {
 public:
  explicit OpenAiProtocol(OpenAiProtocolOptions options) : options_(std::move(options)) {
    chat_.model = options_.model;
    chat_.system_prompt = options_.system_prompt;
    chat_.temperature = options_.temperature;
    chat_.max_tokens = options_.max_tokens;
    chat_.extra_body = options_.extra_body.is_object() ? options_.extra_body : json::object();
  }

  const char* name() const override { return "openai"; }
  bool idempotent_submit() const override { return false; }

  Request BuildSubmit(const SubmitInput& in) const override {
    Request req;
    req.endpoint = Endpoint::kSubmit;
    req.path = std::string(kChatCompletionsPath);
    req.body = BuildChatBody(chat_, BuildUserMessage(options_.prompt_template, in));
    req.silent_timeout = options_.generation_timeout;
    return req;  // no Idempotency-Key: the chat API defines none
  }

  Result<SubmitResponse> ParseSubmit(std::string_view body) const override {
    CNAKE_ASSIGN_OR_RETURN(ChatReply reply, ParseChatReply(body));
    if (reply.finish_reason == "error") {
      // OpenRouter: the upstream provider failed mid-generation. Like a
      // damaged answer: retried.
      return Status(StatusCode::kParse, "the reply ended with finish_reason \"error\"");
    }
    return SubmitResponse(ResultOf(reply));
  }

  // Chat completions have no jobs to poll; the engine never asks.
  std::string StatusPath(std::string_view) const override { return "/"; }
  std::string ResultPath(std::string_view) const override { return "/"; }
  Result<StatusResponse> ParseStatus(std::string_view) const override { return NoJobs(); }
  Result<ResultResponse> ParseResult(std::string_view) const override { return NoJobs(); }

  std::string HealthPath() const override { return std::string(kModelsPath); }

  Status CheckHealth(std::string_view body) const override {
    auto ids = ParseModelIds(body);
    if (!ids.ok()) return ids.status();
    if (std::find(ids->begin(), ids->end(), options_.model) != ids->end()) return Status::Ok();
    std::string listed;
    for (std::size_t i = 0; i < ids->size() && i < 10; ++i) {
      listed += (i ? ", " : "") + (*ids)[i];
    }
    if (ids->size() > 10) listed += ", ... (" + std::to_string(ids->size()) + " in all)";
    return InvalidArgument("the API does not serve model \"" + options_.model + "\" (GET /models " +
                           (ids->empty() ? std::string("lists none") : "lists: " + listed) +
                           "); set api.model to one it lists");
  }

  std::int64_t MaxCompletionTokens() const override {
    if (options_.max_tokens) return *options_.max_tokens;
    // OpenAI's reasoning models take max_completion_tokens instead.
    auto it = chat_.extra_body.find("max_completion_tokens");
    if (it != chat_.extra_body.end() && it->is_number_integer() && it->get<std::int64_t>() > 0) {
      return it->get<std::int64_t>();
    }
    return 0;
  }

  void Annotate(const Response& response, scheduler::Outcome* outcome) const override {
    outcome->chat = true;
    if (response.http_status == 429) {
      std::optional<ApiError> error = ParseApiError(response.body);
      outcome->quota_exhausted = error && IsQuotaError(*error);
    }
  }

 private:
  static Status NoJobs() {
    return Status(StatusCode::kInternal, "the openai protocol has no jobs to poll");
  }

  OpenAiProtocolOptions options_;
  ChatRequestOptions chat_;
};

}  // namespace

std::unique_ptr<Protocol> MakeOpenAiProtocol(OpenAiProtocolOptions options) {
  return std::make_unique<OpenAiProtocol>(std::move(options));
}

}  // namespace cnake::api
