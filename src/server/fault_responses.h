// Turns a fault decision into what goes on the wire. Status-code faults
// replace the response; the others damage the response the request would
// have had (`real_status`, `real_body`), or act on the connection itself.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "server/clock.h"
#include "server/fault_plan.h"
#include "server/stop_signal.h"

namespace cnake::server {

struct FaultContext {
  const httplib::Request* request = nullptr;
  const FaultParams* params = nullptr;
  Endpoint endpoint = Endpoint::kHealth;
  uint64_t decision_hash = 0;
  Clock* clock = nullptr;
  StopSignal* stop = nullptr;
  // The openai protocol: error bodies are OpenAI's {"error": {...}}, and a
  // 429 carries x-ratelimit-* headers saying the requests ran out.
  bool openai = false;
};

// Fills `res` for `fault` (which must not be kNone or a job fault). May block
// (hang) until the peer leaves or the server stops. Returns the HTTP status
// announced to the client, or 0 when no response head is sent at all.
int ApplyFault(Fault fault, const FaultContext& ctx, int real_status,
               const nlohmann::json& real_body, httplib::Response* res);

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string FormatHttpDate(WallTime t);

}  // namespace cnake::server
