// CurlTransport: api::Transport over libcurl's multi interface.
//
// One CURLM, driven by the engine's loop through Poll() by its sockets
// (curl_socket_loop.h); no threads of its own. Connections are kept alive in the multi handle's
// connection cache and reused across requests (easy handles are pooled too); HTTP/2 is negotiated
// over TLS when the server offers it, with streams multiplexed on one
// connection.
//
// Security properties, each relied upon elsewhere:
//   * the API key is sent only as "Authorization: Bearer <key>" and never
//     appears in a Response, an error text or the verbose debug output;
//   * redirects are never followed (a 3xx is reported as kRedirect), so the
//     key cannot be forwarded to another host; only http and https are allowed;
//   * TLS peer and host verification are on unless `insecure` is set (peers
//     are checked against `ca_file` when it is given);
//   * response bodies are capped after content decoding, so neither a huge
//     body nor a compression bomb can exhaust memory.
//
// Responses: `transport` is checked first. When it is not kNone the body is
// empty and `error` says why; `http_status` may still be set when the headers
// had arrived (a truncated or over-cap 200, a 302). Error texts are curl's
// (CURLOPT_ERRORBUFFER) plus the CURLcode's name, scrubbed of the key. The
// CURLcode -> TransportError table is in curl_support.h.
//
// Stall detection counts the time before the first response byte too: a
// synchronous deployment that thinks longer than low_speed_time before
// answering a POST needs a larger low_speed_time (or 0).
//
// Proxies: libcurl honours the usual *_proxy environment variables.
//
// Thread safety: as for Transport. Start/Poll/in_flight from one thread;
// Wakeup from any thread while the object is alive.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/curl_socket_loop.h"
#include "api/transport.h"
#include "config/config.h"
#include "config/secret.h"
#include "util/status.h"

namespace cnake::api {

inline constexpr char kUserAgent[] = "cnake-charmer-client/0.1";

struct TransportOptions {
  std::string base_url;                         // http(s)://host[:port][/prefix], no trailing '/'
  Secret api_key;                               // empty: no Authorization header
  Duration timeout = std::chrono::seconds(30);  // total per request
  Duration connect_timeout = std::chrono::seconds(10);
  // A transfer slower than low_speed_limit bytes/s for low_speed_time is
  // aborted as kStalled. libcurl measures in whole seconds; 0 disables.
  long low_speed_limit = 1;
  std::chrono::seconds low_speed_time{30};
  std::size_t max_response_bytes = 32 * 1024 * 1024;  // decoded body cap
  int max_connections = 8;                            // per host and in the connection cache
  bool insecure = false;  // skip TLS verification; the CLI warns the user
  std::string ca_file;    // PEM CA bundle to trust; empty = libcurl's default
  bool verbose = false;   // log headers (redacted) and connection info
  // Receives verbose output, one redacted chunk per call; spdlog::debug when
  // empty. Called on the Poll() thread.
  std::function<void(std::string_view)> debug_sink;
};

// Options from the configuration: base_url, key and timeouts from `api`, and
// room for `max_concurrent` requests plus a few status polls in flight.
TransportOptions TransportOptionsFromConfig(const ApiConfig& api, int max_concurrent);

class CurlTransport final : public Transport {
 public:
  // kInvalidArgument for a bad base URL or a key with control characters;
  // kInternal when libcurl cannot be initialised.
  static Result<std::unique_ptr<CurlTransport>> Create(TransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // A request that cannot be sent (malformed path, unsafe Idempotency-Key,
  // libcurl setup failure) completes at the next Poll() with kOther.
  void Start(const Request& request) override;
  // Never blocks when a finished exchange is already waiting. `max_wait` is
  // rounded up to whole milliseconds.
  std::vector<Response> Poll(Duration max_wait) override;
  void Wakeup() override;
  std::size_t in_flight() const override { return active_.size() + ready_.size(); }

  const TransportOptions& options() const { return options_; }

  // Exchange is the per-request state the libcurl callbacks see.
  struct Exchange;

 private:
  explicit CurlTransport(TransportOptions options);
  Status Init();
  void FailNow(const Request& request, std::string error);
  CURL* AcquireEasy();
  void ReleaseEasy(CURL* easy);
  bool Configure(CURL* easy, Exchange* exchange);
  void CollectFinished(std::vector<Response>* done);
  Response Finish(CURL* easy, Exchange* exchange, CURLcode code);

  TransportOptions options_;
  std::vector<std::string> common_headers_;  // includes Authorization when keyed
  CurlSocketLoop loop_;  // outlives multi_: the destructor cleans the multi up first
  CURLM* multi_ = nullptr;
  std::vector<CURL*> idle_easies_;
  std::unordered_map<const Exchange*, std::unique_ptr<Exchange>> active_;
  std::vector<Response> ready_;  // failed in Start(), returned by the next Poll()
};

}  // namespace cnake::api
