// The engine's view of the API: asynchronous HTTP exchanges, completed in
// batches by Poll(). The real implementation is libcurl's multi interface
// (curl_transport.h); unit tests substitute a fake (testing/fake_transport.h).
//
// Thread safety: Start/Poll/in_flight are called from the engine's single
// event-loop thread only. Wakeup() may be called from any thread and from a
// signal-handling thread; it makes a blocked Poll() return early.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/retry_policy.h"
#include "util/clock.h"

namespace cnake::api {

using scheduler::Endpoint;
using scheduler::TransportError;

struct Request {
  std::uint64_t tag = 0;  // the caller's handle, returned in the Response
  Endpoint endpoint = Endpoint::kSubmit;
  std::string path;             // appended to the base URL, e.g. "/generate", "/status/<id>"
  std::string body;             // JSON body for POST (kSubmit); empty for GET
  std::string idempotency_key;  // sent as Idempotency-Key on POST when not empty
  // Set for a request the server answers only when it is done, possibly after
  // minutes of silence (a chat completion without streaming): this is its total
  // timeout instead of the transport's, and the stall check is off for it.
  std::optional<Duration> silent_timeout;
};

struct Response {
  std::uint64_t tag = 0;
  Endpoint endpoint = Endpoint::kSubmit;
  TransportError transport = TransportError::kNone;
  int http_status = 0;                     // 0 when no response arrived
  std::string body;                        // at most the configured cap
  std::optional<std::string> retry_after;  // raw Retry-After header value
  // Provider rate-limit headers (x-ratelimit-*, retry-after-ms): lower-case
  // name and raw value, in arrival order (scheduler/rate_limit_headers.h).
  std::vector<std::pair<std::string, std::string>> limit_headers;
  Duration latency{0};
  std::string error;  // transport error text, never containing the key
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Begins an exchange. The request is copied.
  virtual void Start(const Request& request) = 0;
  // Waits up to `max_wait` for progress and returns every exchange that
  // finished (possibly none).
  virtual std::vector<Response> Poll(Duration max_wait) = 0;
  // Makes a blocked Poll() return. Async-signal-safe is not required; thread-safe is.
  virtual void Wakeup() = 0;
  virtual std::size_t in_flight() const = 0;
};

}  // namespace cnake::api
