// HttpServer::Call: the per-request state the route handlers share (the
// request, the response, its log line, the fault decision). Internal to
// src/server (http_server.cc, chat_routes.cc).
#pragma once

#include <httplib.h>

#include <memory>

#include "server/fault_plan.h"
#include "server/http_server.h"
#include "server/request_log.h"

namespace cnake::server {

struct HttpServer::Call {
  Call(Endpoint e, const httplib::Request& rq, httplib::Response& rs)
      : endpoint(e), req(rq), res(rs) {
    entry.method = rq.method;
    entry.path = rq.path;
  }
  Endpoint endpoint;
  const httplib::Request& req;
  httplib::Response& res;
  RequestLogEntry entry;
  std::shared_ptr<const Scenario> scenario;
  Decision decision;
};

}  // namespace cnake::server
