// Idempotency keys for POST /generate.
#pragma once

#include <string>

namespace cnake::engine {

// Derived from (batch, entry, submission): the same for every retry of one
// submission and across restarts; a new key only when a new job is wanted
// (submission_seq grows after a lost job or --retry-failed). 32 hex chars.
std::string IdempotencyKey(const std::string& batch_id, const std::string& entry_id,
                           int submission_seq);

}  // namespace cnake::engine
