// The reference server's openai protocol (--protocol openai): POST
// {base}/chat/completions answers synchronously with the translator's output
// in a fenced block, usage counts and x-ratelimit-* headers; GET
// {base}/models lists the served models. Faults apply as on /generate (the
// chat endpoint) and /health (the model list). docs/api.md, "The reference
// server in openai mode".
#include <httplib.h>

#include <algorithm>

#include "server/chat_contract.h"
#include "server/contract.h"
#include "server/fault_responses.h"
#include "server/hashing.h"
#include "server/http_call.h"
#include "server/http_server.h"
#include "translate/translator.h"

namespace cnake::server {

using nlohmann::json;

namespace {

JobFate FateOf(Fault fault) {
  switch (fault) {
    case Fault::kJobFailed:
      return JobFate::kFails;
    case Fault::kJobNeverCompletes:
      return JobFate::kNeverCompletes;
    case Fault::kJobLost:
      return JobFate::kLost;
    default:
      return JobFate::kNormal;
  }
}

}  // namespace

void HttpServer::InstallChatRoutes() {
  const std::string& base = options_.base_path;
  http_->Post(base + "/chat/completions",
              [this](const httplib::Request& req, httplib::Response& res) { HandleChat(req, res); });
  http_->Get(base + "/models", [this](const httplib::Request& req, httplib::Response& res) {
    HandleModels(req, res);
  });
}

void HttpServer::HandleModels(const httplib::Request& req, httplib::Response& res) {
  Call call(Endpoint::kHealth, req, res);
  if (PreFault(call, "", faults_->NextAnonymousAttempt(Endpoint::kHealth))) return;
  if (!Authorized(req)) {
    res.set_header("WWW-Authenticate", "Bearer");
    return Finish(call, 401,
                  OpenAiError("Incorrect API key provided.", "invalid_request_error", nullptr,
                              "invalid_api_key"));
  }
  Finish(call, 200, ModelsJson(options_.models));
}

void HttpServer::HandleChat(const httplib::Request& req, httplib::Response& res) {
  Call call(Endpoint::kGenerate, req, res);
  ChatRequest request;
  json error;
  const bool valid = ParseChatRequest(req.body, &request, &error);
  if (!request.code.empty()) call.entry.source_sha256 = Sha256Hex(request.code);
  if (!request.model.empty()) call.entry.model = request.model;
  // No idempotency: the same body is the same fault key, so a retried request
  // is its key's next attempt.
  const std::string body_hash =
      request.canonical_hash.empty() ? Sha256Hex(req.body) : request.canonical_hash;
  const std::string fault_key = "body:" + body_hash;
  if (PreFault(call, fault_key, faults_->NextGenerateAttempt(fault_key))) return;
  if (!Authorized(req)) {
    res.set_header("WWW-Authenticate", "Bearer");
    return Finish(call, 401,
                  OpenAiError("Incorrect API key provided.", "invalid_request_error", nullptr,
                              "invalid_api_key"));
  }
  if (!valid) return Finish(call, 400, error);
  if (std::find(options_.models.begin(), options_.models.end(), request.model) ==
      options_.models.end()) {
    return Finish(call, 404,
                  OpenAiError("The model `" + request.model +
                                  "` does not exist or you do not have access to it.",
                              "invalid_request_error", nullptr, "model_not_found"));
  }

  // The reply is known before any wait (the translator is a pure function),
  // so the budget can charge the prompt plus what the reply may hold.
  const Fault fault = call.entry.fault;
  const std::string python = translate::TranslateCython(request.code).python;
  const ChatReply reply = ReplyFor(python, fault, request.max_tokens);
  const std::int64_t prompt_tokens = PromptTokens(request);
  const std::int64_t completion_tokens = CountTokens(reply.content);
  const RateBudget::Verdict verdict =
      budget_->Take(prompt_tokens + request.max_tokens.value_or(completion_tokens));
  for (const auto& [name, value] : verdict.headers) res.set_header(name, value);
  if (!verdict.allowed) {
    return Finish(call, 429,
                  OpenAiError("Rate limit reached for " + verdict.exhausted + " per minute",
                              verdict.exhausted, nullptr, "rate_limit_exceeded"));
  }
  if (request.max_tokens) budget_->Refund(*request.max_tokens - completion_tokens);

  const Scenario& scenario = *call.scenario;
  auto submitted = engine_->Submit(SubmitOptions{"", body_hash, fault_key}, [&] {
    NewJob job;
    job.fate = FateOf(fault);
    const DelaySpec& delay = scenario.delay ? *scenario.delay : options_.delay;
    job.duration = delay.Sample(HashCombine(faults_->SeedOf(scenario), Fnv1a64(fault_key)));
    auto output = std::make_shared<JobOutput>();
    output->python = python;
    output->python_sha256 = Sha256Hex(python);
    job.output = std::move(output);
    return job;
  });
  if (!submitted.ok()) return Finish(call, 500, OpenAiError("job table error", "server_error"));
  call.entry.request_id = "chatcmpl-" + submitted->job.request_id;
  call.entry.job_created = submitted->created;
  const JobFate fate = submitted->job.fate;
  if (fate == JobFate::kNeverCompletes || fate == JobFate::kLost) {
    const Fault shown = fate == JobFate::kLost ? Fault::kStatus500 : Fault::kHang;
    call.entry.status = ApplyFault(shown, FaultContextFor(call), 200, json::object(), &res);
    return Log(call);
  }
  const JobSnapshot job = WaitForJob(*submitted);
  if (job.state != JobState::kCompleted) {
    return Finish(call, 500,
                  OpenAiError("The server had an error while processing your request.",
                              "server_error"));
  }
  call.entry.prompt_tokens = prompt_tokens;
  call.entry.completion_tokens = completion_tokens;
  if (reply.complete) call.entry.python_sha256 = Sha256Hex(reply.code);
  const auto created = std::chrono::duration_cast<std::chrono::seconds>(
                           engine_->clock()->WallNow().time_since_epoch())
                           .count();
  Finish(call, 200,
         ChatCompletionJson(*call.entry.request_id, request.model, reply, prompt_tokens,
                            completion_tokens, created));
}

}  // namespace cnake::server
