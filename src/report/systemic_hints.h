// Spots systemic failure patterns in the most recent API requests and turns
// them into one-line hints for the user ("all recent requests got 429: lower
// --rpm"). Used by the process summary and the errors report.
//
// Pure functions over plain data; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "store/queries.h"
#include "util/status.h"

namespace cnake::report {

// One finished HTTP exchange (or transport failure), as api_requests stores
// it. An empty error_type is a success.
struct RequestOutcome {
  std::string error_type;  // scheduler's error types: http_429, auth, connection_refused, ...
  int http_status = 0;     // 0 when no response arrived
};

struct HintContext {
  std::string base_url;            // where the client sent requests
  double requests_per_minute = 0;  // the configured rate; 0 when unknown
};

// How many of the most recent outcomes are considered, and how many failures
// of one kind it takes to call it systemic.
inline constexpr std::size_t kHintWindow = 100;
inline constexpr std::size_t kHintMinFailures = 3;

// `recent` is oldest first; only its last kHintWindow outcomes count. A
// failure kind is systemic when it accounts for more than half of them (and
// at least kHintMinFailures). Returns at most one hint per systemic kind,
// most frequent first; empty when nothing is systemic.
std::vector<std::string> SystemicHints(const std::vector<RequestOutcome>& recent,
                                       const HintContext& context);

// Reads the last kHintWindow requests of a batch (or of every batch when
// `batch_id` is empty) from the request log, and the base URL and rate from
// the batch's options, and returns SystemicHints over them.
Result<std::vector<std::string>> HintsFromStore(Queries& queries, const std::string& batch_id);

}  // namespace cnake::report
