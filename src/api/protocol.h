// The protocol seam: what the engine asks of "the API" without knowing which
// one it talks to. Two implementations (api.protocol):
//
//   cnakecharmer  the CnakeCharmer contract (docs/api.md, part 1): POST
//                 /generate with an Idempotency-Key, then /status and
//                 /results by request_id (or the result at once from a
//                 synchronous deployment); GET /health.
//   openai        OpenAI chat completions (docs/api.md, "OpenAI-compatible
//                 servers"): one synchronous POST /chat/completions per
//                 attempt, the Python taken from the reply
//                 (code_extraction.h); GET /models, which must list the
//                 model. No job ids and no idempotency: a retried POST may be
//                 billed again (docs/reliability.md bounds how often).
//
// A protocol builds the submission from an entry, turns 2xx bodies into the
// engine's outcome types (SubmitResponse, StatusResponse, ResultResponse), and
// adds what it knows to a failed request's scheduler::Outcome. Implementations
// are immutable after construction: every method is const and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/api_messages.h"
#include "api/transport.h"
#include "config/config.h"
#include "scheduler/retry_policy.h"
#include "util/status.h"

namespace cnake::api {

// What a protocol needs to know about an entry to submit it.
struct SubmitInput {
  // The batch the submission belongs to: for an entry adopted from a stopped
  // batch, that batch, whose Idempotency-Key it keeps.
  std::string batch_id;
  std::string entry_id;
  std::string code;
  std::string description;
  std::string tags;  // the entry's tags as JSON text; "" when none
  int submission_seq = 0;
  // Request metadata beside source_id and batch_id (engine/submission.h:
  // the submission number and the entry's own description, tags and
  // metadata). The CnakeCharmer contract sends it in the body's `metadata`;
  // the chat protocol sends none (the prompt carries description and tags).
  nlohmann::json metadata = nlohmann::json::object();
  // The same for every retry of one submission and across restarts
  // (engine/idempotency.h); sent by protocols that honour one.
  std::string idempotency_key;
};

class Protocol {
 public:
  virtual ~Protocol() = default;

  // "cnakecharmer" or "openai".
  virtual const char* name() const = 0;
  // True when a retried submission cannot create (or bill) a second job: the
  // server recognises it by its Idempotency-Key. False: every POST that
  // reaches the server may be billed, so the engine records each attempt
  // before sending it.
  virtual bool idempotent_submit() const = 0;

  // The submission: endpoint kSubmit, path, body, headers, timeout. The tag
  // is the caller's to set.
  virtual Request BuildSubmit(const SubmitInput& input) const = 0;
  // A 2xx answer to the submission: a job to poll, or the finished result
  // (which, for the chat protocol, may be a failure: ResultResponse::problem).
  virtual Result<SubmitResponse> ParseSubmit(std::string_view body) const = 0;

  // Polling a job (protocols whose submissions answer with a request_id).
  virtual std::string StatusPath(std::string_view request_id) const = 0;
  virtual std::string ResultPath(std::string_view request_id) const = 0;
  virtual Result<StatusResponse> ParseStatus(std::string_view body) const = 0;
  virtual Result<ResultResponse> ParseResult(std::string_view body) const = 0;

  // The health check: the path probed before a run and while the circuit
  // breaker is open, and what its 2xx answer must say (Ok, or
  // kInvalidArgument saying what is wrong, e.g. the model is not listed).
  virtual std::string HealthPath() const = 0;
  virtual Status CheckHealth(std::string_view body) const = 0;

  // The most tokens a reply may have (api.max_tokens or extra_body's
  // max_completion_tokens); 0 when not limited or not a token-billed API.
  virtual std::int64_t MaxCompletionTokens() const = 0;

  // Adds the protocol's reading of a failed or unusual response to `outcome`
  // (e.g. the chat flag, a 429 that says the quota is exhausted).
  virtual void Annotate(const Response& response, scheduler::Outcome* outcome) const = 0;
};

// The CnakeCharmer contract; `prompt_template` as processing.prompt_template.
std::unique_ptr<Protocol> MakeCnakeCharmerProtocol(std::string prompt_template);

struct OpenAiProtocolOptions {
  std::string model;
  std::string system_prompt;
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  nlohmann::json extra_body = nlohmann::json::object();
  std::string prompt_template;
  // Total time limit of one chat completion (the server says nothing until it
  // is done, so stall detection is off for it).
  Duration generation_timeout = std::chrono::minutes(5);
};
std::unique_ptr<Protocol> MakeOpenAiProtocol(OpenAiProtocolOptions options);

// The protocol the configuration names (api.protocol and its keys,
// processing.prompt_template). kInvalidArgument when api.extra_body is not a
// JSON object.
Result<std::unique_ptr<Protocol>> ProtocolFromConfig(const Config& config);

// The user message for an entry: processing.prompt_template expanded with
// the entry's description, id, tags and code; when the template has no
// {code}, the code follows in a ```cython fenced block.
std::string BuildUserMessage(std::string_view prompt_template, const SubmitInput& input);

}  // namespace cnake::api
