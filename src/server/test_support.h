// Test-only helpers: an in-process server on loopback, a libcurl client that
// reports transport errors instead of hiding them, and a raw-socket client for
// observing resets and truncation byte by byte.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/fault_controller.h"
#include "server/http_server.h"
#include "server/job_engine.h"
#include "server/request_log.h"

namespace cnake::server::testing {

struct HttpReply {
  long status = 0;    // 0 when no response head arrived
  int curl_code = 0;  // CURLcode; 0 = OK
  std::string error;  // curl's message
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
  double seconds = 0;
  nlohmann::json Json() const;  // discarded value if the body is not JSON
  std::string Header(const std::string& lowercase_name) const;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  long timeout_ms = 5000;
  bool accept_gzip = false;
  size_t max_body = 64 << 20;  // abort the transfer beyond this
};

HttpReply Fetch(const HttpCall& call);
HttpReply Get(const std::string& url, std::vector<std::string> headers = {});
HttpReply PostJson(const std::string& url, const nlohmann::json& body,
                   std::vector<std::string> headers = {});

struct RawReply {
  std::string bytes;
  int error = 0;  // errno of the failing recv, 0 on clean EOF or timeout
  bool timed_out = false;
  std::vector<size_t> read_sizes;  // size of every successful recv
};
// Sends `request` verbatim to 127.0.0.1:port and reads until EOF, error or
// timeout.
RawReply RawExchange(int port, const std::string& request, int timeout_ms);
std::string RawGet(const std::string& path);  // a "Connection: close" GET request

struct TestServerConfig {
  ServerOptions options;
  Scenario scenario;
  uint64_t seed = 1;
  size_t capacity = 4;
  Micros retention = std::chrono::hours(1);
  bool fake_clock = true;
  std::string request_log_path;  // empty: no log
};

// A started server. Destruction stops it.
class TestServer {
 public:
  explicit TestServer(TestServerConfig config = {});
  ~TestServer();
  std::string Url(const std::string& path) const { return server->BaseUrl() + path; }
  std::string AdminUrl(const std::string& path) const;
  int port() const { return server->port(); }
  // Submits a minimal valid job and returns its request_id.
  std::string SubmitJob(const std::string& source = "def f():\n    return 1\n",
                        std::vector<std::string> headers = {});

  FakeClock fake_clock;
  SystemClock system_clock;
  Clock* clock;
  std::unique_ptr<RequestLog> log;
  std::unique_ptr<JobEngine> engine;
  std::unique_ptr<FaultController> faults;
  std::unique_ptr<HttpServer> server;
};

nlohmann::json GenerateBody(const std::string& source = "def f():\n    return 1\n");
std::vector<nlohmann::json> ReadJsonLines(const std::string& path);
std::string TempPath(const std::string& name);

}  // namespace cnake::server::testing
