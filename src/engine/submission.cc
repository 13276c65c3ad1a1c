#include "engine/submission.h"

#include "config/prompt_template.h"

namespace cnake::engine {
namespace {

// A JSON column's value as JSON; text that is not valid JSON (a foreign
// tool's value) is sent as the string it is.
nlohmann::json JsonColumn(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(text) : parsed;
}

}  // namespace

api::GenerateInput SubmissionInput(const Entry& entry, const std::string& batch_id,
                                   const std::string& prompt_template) {
  api::GenerateInput in;
  in.prompt =
      ExpandPromptTemplate(prompt_template, {{"description", entry.description.value_or("")},
                                             {"id", entry.id},
                                             {"tags", entry.tags_json.value_or("")}});
  in.source_code = entry.code;
  in.source_id = entry.id;
  in.batch_id = batch_id;
  // Nothing that changes between retries of one submission (like the
  // attempt number) goes in here.
  in.extra_metadata = {{"submission", entry.submission_seq}};
  if (entry.description) in.extra_metadata["description"] = *entry.description;
  if (entry.tags_json) in.extra_metadata["tags"] = JsonColumn(*entry.tags_json);
  // Under its own name, so that keys of the user's metadata can never
  // replace source_id or batch_id.
  if (entry.metadata_json) in.extra_metadata["metadata"] = JsonColumn(*entry.metadata_json);
  return in;
}

}  // namespace cnake::engine
