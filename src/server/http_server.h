// The CnakeCharmer API over HTTP (cpp-httplib): routes, bearer auth,
// idempotency, sync/async modes, fault application, the request log, and the
// admin interface. docs/api.md documents the wire contract.
//
// Lifecycle: construct, Start() (binds and serves on a background thread) or
// Bind() + Run() (serves on the calling thread), Stop() from any thread.
// The engine, fault controller and log must outlive the server.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/delay_spec.h"
#include "server/fault_controller.h"
#include "server/job_engine.h"
#include "server/rate_budget.h"
#include "server/request_log.h"
#include "server/stop_signal.h"
#include "util/status.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace cnake::server {

struct FaultContext;  // fault_responses.h

enum class ServeMode { kAsync, kSync };
// The API the server speaks: the CnakeCharmer contract, or OpenAI chat
// completions (docs/api.md, "The reference server in openai mode").
enum class ServeProtocol { kCnakeCharmer, kOpenAi };

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string base_path = "/api";
  ServeMode mode = ServeMode::kAsync;
  std::string api_key;      // empty: no authentication
  std::string admin_token;  // empty: admin endpoints accept loopback peers only
  size_t max_body_bytes = 2 << 20;
  int threads = 256;  // one keep-alive connection per thread
  int keep_alive_timeout_s = 5;
  DelaySpec delay;  // unless the active scenario sets one
  // false: status answers carry "eta": null, as an API that does not
  // estimate would (the contract allows it; docs/api.md).
  bool send_eta = true;
  std::string tls_cert;  // both set: HTTPS
  std::string tls_key;
  ServeProtocol protocol = ServeProtocol::kCnakeCharmer;
  // openai: the model ids GET /models lists and chat completions accept.
  std::vector<std::string> models = {"cnake-charmer-translator"};
  // openai: the request and token budget per window (a minute unless
  // limit_window says otherwise) reported in x-ratelimit-* headers and
  // enforced with 429s; 0 = none.
  std::int64_t rpm_limit = 0, tpm_limit = 0;
  Micros limit_window = std::chrono::minutes(1);
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, JobEngine* engine, FaultController* faults,
             RequestLog* log /* nullable */);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; port() is valid afterwards.
  Status Bind();
  // Serves until Stop(); returns false if the listener failed.
  bool Run();
  // Bind() and Run() on a background thread.
  Status Start();
  // Idempotent; wakes handlers that sleep on faults, then joins the thread.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/api"
  std::string BaseUrl() const;
  nlohmann::json StatsJson() const;

 private:
  struct Call;  // per-request state shared by the handlers

  void InstallRoutes();
  void InstallContractRoutes();
  void InstallAdminRoutes();
  // chat_routes.cc: the openai protocol.
  void InstallChatRoutes();
  void HandleChat(const httplib::Request& req, httplib::Response& res);
  void HandleModels(const httplib::Request& req, httplib::Response& res);
  FaultContext FaultContextFor(const Call& call);
  // Waits until a submitted job is due and returns it as it is then.
  JobSnapshot WaitForJob(const SubmitResult& submitted);
  void HandleGenerate(const httplib::Request& req, httplib::Response& res);
  void HandleLookup(Endpoint endpoint, const httplib::Request& req, httplib::Response& res);
  void HandleHealth(const httplib::Request& req, httplib::Response& res);
  void HandleLibraryError(const httplib::Request& req, httplib::Response& res);

  // Picks the fault, sleeps the latency, and answers the request if the fault
  // rejects it outright. Returns true when the request is finished.
  bool PreFault(Call& call, std::string_view key, uint32_t attempt);
  bool Authorized(const httplib::Request& req) const;
  bool AdminAllowed(const httplib::Request& req) const;
  // Sends `body` with `status`, or the damaged version if the call's fault
  // damages responses; then writes the log line.
  void Finish(Call& call, int status, const nlohmann::json& body);
  void Log(Call& call);
  NewJob MakeJob(const struct GenerateRequest& request, Fault fault, const Scenario& scenario,
                 std::string_view fault_key) const;
  nlohmann::json WaitForSyncResult(const SubmitResult& submitted, Call& call);

  const ServerOptions options_;
  JobEngine* const engine_;
  FaultController* const faults_;
  RequestLog* const log_;
  std::unique_ptr<RateBudget> budget_;  // openai mode
  std::unique_ptr<httplib::Server> http_;
  StopSignal stop_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  int port_ = 0;
  int listen_fd_ = -1;  // owned by the library
  const MonoTime started_at_;

  std::array<std::atomic<uint64_t>, kEndpointCount> requests_{};
  std::array<std::atomic<uint64_t>, 600> responses_{};
};

}  // namespace cnake::server
