#include "api/protocol.h"

#include "config/prompt_template.h"

namespace cnake::api {

std::string BuildUserMessage(std::string_view prompt_template, const SubmitInput& input) {
  std::string message = ExpandPromptTemplate(prompt_template, {{"description", input.description},
                                                               {"id", input.entry_id},
                                                               {"tags", input.tags},
                                                               {"code", input.code}});
  if (UsesPlaceholder(prompt_template, "code")) return message;
  // A fence longer than any run of backticks in the code keeps the block
  // intact whatever the code holds.
  std::size_t longest = 0;
  for (std::size_t i = 0, run = 0; i < input.code.size(); ++i) {
    run = input.code[i] == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  message += "\n\n" + fence + "cython\n" + input.code;
  if (!input.code.empty() && input.code.back() != '\n') message += '\n';
  message += fence + "\n";
  return message;
}

Result<std::unique_ptr<Protocol>> ProtocolFromConfig(const Config& config) {
  const ApiConfig& api = config.api;
  if (api.protocol != "openai") return MakeCnakeCharmerProtocol(config.processing.prompt_template);
  OpenAiProtocolOptions o;
  o.model = api.model;
  o.system_prompt = api.system_prompt;
  if (api.temperature >= 0) o.temperature = api.temperature;
  if (api.max_tokens > 0) o.max_tokens = api.max_tokens;
  if (!api.extra_body.empty()) {
    o.extra_body = nlohmann::json::parse(api.extra_body, nullptr, false);
    if (!o.extra_body.is_object()) return InvalidArgument("api.extra_body is not a JSON object");
  }
  o.prompt_template = config.processing.prompt_template;
  o.generation_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(api.generation_timeout));
  return MakeOpenAiProtocol(std::move(o));
}

}  // namespace cnake::api
