// The CnakeCharmer contract behind the protocol seam (protocol.h): the
// messages of api_messages.h and the paths of api_paths.h.
#include "api/api_paths.h"
#include "api/protocol.h"
#include "config/prompt_template.h"

namespace cnake::api {
namespace {

class CnakeCharmerProtocol final : public Protocol {
 public:
  explicit CnakeCharmerProtocol(std::string prompt_template)
      : prompt_template_(std::move(prompt_template)) {}

  const char* name() const override { return "cnakecharmer"; }
  bool idempotent_submit() const override { return true; }

  Request BuildSubmit(const SubmitInput& in) const override {
    GenerateInput g;
    g.prompt = BuildPrompt(in);
    g.source_code = in.code;
    g.source_id = in.entry_id;
    g.batch_id = in.batch_id;
    // The body must be identical for every retry of one submission: the same
    // Idempotency-Key with a different body is a 422 (docs/api.md). So nothing
    // that changes between retries (like the attempt number) goes in here.
    g.extra_metadata = in.metadata;
    g.extra_metadata["submission"] = in.submission_seq;
    Request req;
    req.endpoint = Endpoint::kSubmit;
    req.path = std::string(kGeneratePath);
    req.body = BuildGenerateBody(g);
    req.idempotency_key = in.idempotency_key;
    return req;
  }
  Result<SubmitResponse> ParseSubmit(std::string_view body) const override {
    return ParseSubmitResponse(body);
  }
  std::string StatusPath(std::string_view id) const override { return api::StatusPath(id); }
  std::string ResultPath(std::string_view id) const override { return api::ResultPath(id); }
  Result<StatusResponse> ParseStatus(std::string_view body) const override {
    return ParseStatusResponse(body);
  }
  Result<ResultResponse> ParseResult(std::string_view body) const override {
    return ParseResultResponse(body);
  }
  std::string HealthPath() const override { return std::string(kHealthPath); }
  Status CheckHealth(std::string_view) const override { return Status::Ok(); }
  std::int64_t MaxCompletionTokens() const override { return 0; }
  void Annotate(const Response&, scheduler::Outcome*) const override {}

 private:
  // The code travels in source_code; the prompt has it only where the
  // template asks for {code}.
  std::string BuildPrompt(const SubmitInput& in) const {
    return ExpandPromptTemplate(prompt_template_, {{"description", in.description},
                                                   {"id", in.entry_id},
                                                   {"tags", in.tags},
                                                   {"code", in.code}});
  }

  std::string prompt_template_;
};

}  // namespace

std::unique_ptr<Protocol> MakeCnakeCharmerProtocol(std::string prompt_template) {
  return std::make_unique<CnakeCharmerProtocol>(std::move(prompt_template));
}

}  // namespace cnake::api
