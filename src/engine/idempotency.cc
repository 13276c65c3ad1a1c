#include "engine/idempotency.h"

#include "util/sha256.h"

namespace cnake::engine {

std::string IdempotencyKey(const std::string& batch_id, const std::string& entry_id,
                           int submission_seq) {
  std::string material = "cnake-charmer-client/v1\n" + batch_id + "\n" + entry_id + "\n" +
                         std::to_string(submission_seq);
  return Sha256Hex(material).substr(0, 32);
}

}  // namespace cnake::engine
