// The start-up check of `process` and `resume`: is there an API speaking the
// configured protocol at the base URL, and does it take our key? Before any
// batch is claimed, so that a wrong URL, key or model costs nothing.
//
// The CnakeCharmer contract (protocol.name() "cnakecharmer"):
//
//   1. GET {base}/health must answer. While the connection fails it is tried
//      three times (`pause` between tries); a TLS failure is not retried.
//      401/403: the key is refused. 404: nothing is served at that base.
//   2. GET {base}/status/<probe_id>, an id no job can have: a 404 must be
//      the one docs/api.md gives for an unknown id, {"detail": "Request <id>
//      not found"}. A server's generic not-found page (a proxy, another
//      application, the API under another base path: {"detail":"Not
//      Found"}, HTML) means the API's endpoints are not under this base.
//      401/403: the key is refused (the contract leaves /health
//      unauthenticated, so this is where a wrong key shows). Any other
//      answer passes: the run's decision table deals with 429, 5xx or
//      damaged answers as it does for every poll.
//
// OpenAI chat completions ("openai"), which have no jobs to probe:
//
//   1. GET {base}/models (protocol.HealthPath()), tried as /health above.
//      401/403: the key is refused. 404: nothing OpenAI-compatible is
//      served at that base (its base URL usually ends in /v1).
//   2. A 2xx answer must list api.model (protocol.CheckHealth). A list that
//      does not parse, or another status (429, 5xx, a proxy without a model
//      list), only draws a `warn`ing: the run's decision table handles the
//      chat requests themselves.
//
// Errors: kNetwork (unreachable, with what to check), kAuth (401/403 on the
// health check or the status probe), kHttp (no API at the base URL: "no CnakeCharmer API at
// <url>: check --base-url", or "no OpenAI-compatible API at <url>"); each is
// exit code 4. kInvalidArgument (exit code 2): the model list does not name
// api.model; the message names the models it lists.
// Thread safety: uses `transport` from the calling thread only.
#pragma once

#include <functional>
#include <string>

#include "api/protocol.h"
#include "api/transport.h"
#include "util/status.h"

namespace cnake::api {

// A 429 or 503 with Retry-After (on either request) is honoured before the
// next request goes out, as the run would: `pause` waits that long, at most
// `max_retry_after`, read against `clock`'s wall time for an HTTP date.
struct ProbeOptions {
  std::string probe_id;
  Duration max_retry_after = std::chrono::seconds(300);
  std::function<void(Duration)> pause;
  // Shows a warning (what could not be checked); may be empty.
  std::function<void(const std::string&)> warn;
};

Status CheckApi(Transport& transport, const Protocol& protocol, const std::string& base_url,
                const Clock& clock, const ProbeOptions& options);

// The message of a run stopped because POST {base}/generate answered 404.
std::string NoApiMessage(const std::string& base_url, const std::string& what_happened);

}  // namespace cnake::api
