// What a submission sends for an entry (docs/engine.md, "What is sent"): the
// protocol's input (api/protocol.h) with the entry's id, code, description
// and tags, the batch the submission belongs to (for an entry adopted from a
// stopped batch, that batch, whose Idempotency-Key it keeps), the submission
// number and its Idempotency-Key, and the request metadata: the submission
// number and the entry's own description, tags and metadata, each only when
// the entry has it. The CnakeCharmer contract sends that metadata beside
// source_id and batch_id in POST /generate; the chat protocol builds its
// messages from processing.prompt_template alone.
//
// Pure: the same entry and batch give the same input, so every retry of one
// submission sends the same body, as the Idempotency-Key requires (the same
// key with another body is a 422, docs/api.md).
#pragma once

#include <string>

#include "api/protocol.h"
#include "store/types.h"

namespace cnake::engine {

api::SubmitInput SubmissionInput(const Entry& entry, const std::string& batch_id);

}  // namespace cnake::engine
