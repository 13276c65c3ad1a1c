#include "engine/submission.h"

#include "engine/idempotency.h"

namespace cnake::engine {
namespace {

// A JSON column's value as JSON; text that is not valid JSON (a foreign
// tool's value) is sent as the string it is.
nlohmann::json JsonColumn(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(text) : parsed;
}

}  // namespace

api::SubmitInput SubmissionInput(const Entry& entry, const std::string& batch_id) {
  api::SubmitInput in;
  in.batch_id = batch_id;
  in.entry_id = entry.id;
  in.code = entry.code;
  in.description = entry.description.value_or("");
  in.tags = entry.tags_json.value_or("");
  in.submission_seq = entry.submission_seq;
  in.idempotency_key = IdempotencyKey(batch_id, entry.id, entry.submission_seq);
  // Nothing that changes between retries of one submission (like the
  // attempt number) goes in here.
  in.metadata = {{"submission", entry.submission_seq}};
  if (entry.description) in.metadata["description"] = *entry.description;
  if (entry.tags_json) in.metadata["tags"] = JsonColumn(*entry.tags_json);
  // Under its own name, so that keys of the user's metadata can never
  // replace source_id or batch_id.
  if (entry.metadata_json) in.metadata["metadata"] = JsonColumn(*entry.metadata_json);
  return in;
}

}  // namespace cnake::engine
