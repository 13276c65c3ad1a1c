// What a POST /generate sends for an entry (docs/engine.md, "What is sent"):
// the prompt from processing.prompt_template, the code, and in `metadata`
// the entry's id (source_id), the batch the submission belongs to
// (batch_id: for an entry adopted from a stopped batch, that batch, whose
// Idempotency-Key it keeps), the submission number, and the entry's own
// description, tags and metadata.
//
// Pure: the same entry, batch and template give the same input, so every
// retry of one submission sends the same body, as the Idempotency-Key
// requires (the same key with another body is a 422, docs/api.md).
#pragma once

#include <string>

#include "api/api_messages.h"
#include "store/types.h"

namespace cnake::engine {

api::GenerateInput SubmissionInput(const Entry& entry, const std::string& batch_id,
                                   const std::string& prompt_template);

}  // namespace cnake::engine
