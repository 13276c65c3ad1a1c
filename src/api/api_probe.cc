#include "api/api_probe.h"

#include <fmt/format.h>

#include "api/api_messages.h"
#include "api/api_paths.h"
#include "scheduler/retry_after.h"

namespace cnake::api {
namespace {

Response Exchange(Transport& transport, Endpoint endpoint, const std::string& path) {
  Request req;
  req.endpoint = endpoint;
  req.path = path;
  transport.Start(req);
  std::vector<Response> done;
  while (done.empty()) done = transport.Poll(std::chrono::seconds(1));
  return done.front();
}

// What to do when the API could not be reached at all.
std::string UnreachableHint(TransportError error, const std::string& url) {
  switch (error) {
    case TransportError::kTls:
      return "Check the server's certificate and host name; for a private CA set api.ca_file "
             "(--ca-file)";
    case TransportError::kTlsHandshake:
      return fmt::format(
          "The TLS handshake failed before any certificate was checked: does {} speak HTTPS? "
          "(a plain-HTTP server needs an http:// URL)",
          url);
    default:
      return fmt::format("Is the API running at {}?", url);
  }
}

Status Unreachable(const Response& r, const std::string& url) {
  return Status(StatusCode::kNetwork, fmt::format("cannot reach the API at {}: {}. {}", url,
                                                  r.error, UnreachableHint(r.transport, url)));
}

Status AuthFailed(int http_status, const std::string& url) {
  return Status(StatusCode::kAuth,
                fmt::format("authentication failed (HTTP {}) at {}: check CNAKE_API_KEY or "
                            "api.api_key_file",
                            http_status, url));
}

// Waits as long as a 429 or 503 asked everyone to (the run's rate limiter
// would pause the same way), so the next request does not come too soon.
void HonourRetryAfter(const Response& r, const Clock& clock, const ProbeOptions& options) {
  if ((r.http_status != 429 && r.http_status != 503) || !r.retry_after) return;
  auto wait = scheduler::ParseRetryAfter(*r.retry_after, clock.WallNow(), options.max_retry_after);
  if (wait && *wait > Duration::zero()) options.pause(*wait);
}

Response Health(Transport& transport, const std::string& path,
                const std::function<void(Duration)>& pause) {
  Response last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = Exchange(transport, Endpoint::kHealth, path);
    // What the retry policy calls fatal (a refused certificate, a port that
    // does not speak TLS) does not fix itself within a second.
    if (last.transport == TransportError::kNone ||
        scheduler::Classify({.transport = last.transport}) == scheduler::ErrorClass::kFatal) {
      break;
    }
    if (attempt < 2) pause(std::chrono::milliseconds(500) * (attempt + 1));
  }
  return last;
}

// True when a 404 for the probe id is positively not the API's: a
// well-formed answer other than the contract's {"detail": "Request <id> not
// found"}: FastAPI's {"detail":"Not Found"} for an unknown path, a problem
// document ("No static resource .../<id>"), an HTML or text page ("Cannot
// GET /.../<id>"), an empty body. A body that looks like JSON but does not
// parse (cut short, too deep, invalid UTF-8) is a damaged answer, maybe the
// API's: that proves nothing.
bool GenericNotFound(const Response& r, const std::string& id) {
  auto doc = ParseJsonLimited(r.body);
  if (doc.ok()) {
    if (!doc->is_object()) return true;
    auto detail = doc->find("detail");
    return detail == doc->end() || !detail->is_string() ||
           detail->get<std::string>().find("Request " + id) == std::string::npos;
  }
  const std::size_t first = r.body.find_first_not_of(" \t\r\n");
  return first == std::string::npos || (r.body[first] != '{' && r.body[first] != '[');
}

Status NoApi(const std::string& base_url, const std::string& what_happened) {
  return Status(StatusCode::kHttp, NoApiMessage(base_url, what_happened));
}

void Warn(const ProbeOptions& options, const std::string& text) {
  if (options.warn) options.warn(text);
}

// The chat protocol's check: the model list must name api.model. `health`
// answered, with neither 401/403 nor 404.
Status CheckModelList(const Response& health, const Protocol& protocol, const std::string& url,
                      const Clock& clock, const ProbeOptions& options) {
  const std::string path = url + protocol.HealthPath();
  HonourRetryAfter(health, clock, options);  // the run's first request comes next
  if (health.http_status < 200 || health.http_status >= 300) {
    Warn(options, fmt::format("GET {} answered HTTP {}: cannot check that the API serves "
                              "api.model",
                              path, health.http_status));
    return Status::Ok();
  }
  Status listed = protocol.CheckHealth(health.body);
  if (listed.code() == StatusCode::kParse) {
    Warn(options, fmt::format("cannot read the answer of GET {} ({}): not checking api.model", path,
                              listed.message()));
    return Status::Ok();
  }
  if (listed.ok()) return listed;
  return Status(listed.code(), fmt::format("{} at {}", listed.message(), url));
}

}  // namespace

std::string NoApiMessage(const std::string& base_url, const std::string& what_happened) {
  return fmt::format("no CnakeCharmer API at {}: check --base-url ({})", base_url, what_happened);
}

Status CheckApi(Transport& transport, const Protocol& protocol, const std::string& base_url,
                const Clock& clock, const ProbeOptions& options) {
  const std::string& probe_id = options.probe_id;
  const Response health = Health(transport, protocol.HealthPath(), options.pause);
  if (health.transport != TransportError::kNone) return Unreachable(health, base_url);
  if (health.http_status == 401 || health.http_status == 403) {
    return AuthFailed(health.http_status, base_url);
  }
  if (std::string_view(protocol.name()) == "openai") {
    if (health.http_status == 404) {
      return Status(StatusCode::kHttp,
                    fmt::format("no OpenAI-compatible API at {}: check --base-url (GET {}{} "
                                "answered HTTP 404; such a base URL usually ends in /v1)",
                                base_url, base_url, protocol.HealthPath()));
    }
    return CheckModelList(health, protocol, base_url, clock, options);
  }
  if (health.http_status == 404) {
    return NoApi(base_url, "GET " + base_url + "/health answered HTTP 404");
  }
  // Only a not-found that is not the API's means the base is wrong. Any
  // other answer (a refused key, 429, 5xx, a damaged body, no answer) is
  // left to the run, which knows what to do with each (the decision table).
  HonourRetryAfter(health, clock, options);
  const std::string path = StatusPath(probe_id);
  const Response status = Exchange(transport, Endpoint::kStatus, path);
  HonourRetryAfter(status, clock, options);  // the run's first request comes next
  // The contract leaves /health unauthenticated: this is the first request
  // that shows whether the key is taken, and a refused key would stop the
  // run at its first POST anyway, after claiming a batch it cannot work on.
  if (status.transport == TransportError::kNone &&
      (status.http_status == 401 || status.http_status == 403)) {
    return AuthFailed(status.http_status, base_url);
  }
  if (status.transport != TransportError::kNone || status.http_status != 404 ||
      !GenericNotFound(status, probe_id)) {
    return Status::Ok();
  }
  return NoApi(base_url, fmt::format("GET {}{}, a job that cannot exist, answered a not-found "
                                     "page that is not the API's (\"Request <id> not found\")",
                                     base_url, path));
}

}  // namespace cnake::api
