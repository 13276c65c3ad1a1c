#include "server/http_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <sys/socket.h>

#include <csignal>

#include "server/chat_contract.h"
#include "server/contract.h"
#include "server/fault_responses.h"
#include "server/hashing.h"
#include "server/http_call.h"
#include "translate/translator.h"

namespace cnake::server {

using nlohmann::json;

namespace {

constexpr char kJsonType[] = "application/json";

bool IsJobFault(Fault f) { return f >= Fault::kJobFailed && f < Fault::kCount; }

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

JobFate FateFor(Fault fault) {
  switch (fault) {
    case Fault::kJobFailed:
      return JobFate::kFails;
    case Fault::kJobNeverCompletes:
      return JobFate::kNeverCompletes;
    case Fault::kJobLost:
      return JobFate::kLost;
    default:
      return JobFate::kNormal;
  }
}

json AnalysisJson(const translate::Translation& t, const GenerateRequest& request) {
  json lines = json::array();
  for (const auto& u : t.untranslated) {
    lines.push_back({{"line", u.line}, {"text", u.text}, {"reason", u.reason}});
  }
  return {{"translator", "cnake_translate"},
          {"untranslated_count", t.untranslated.size()},
          {"untranslated_lines", std::move(lines)},
          {"notes", t.notes},
          {"optimization_level", request.optimization_level},
          {"analysis_types", request.analysis_types ? json(*request.analysis_types) : json()}};
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, JobEngine* engine, FaultController* faults,
                       RequestLog* log)
    : options_(std::move(options)),
      engine_(engine),
      faults_(faults),
      log_(log),
      started_at_(engine->clock()->Now()) {
  // Faults write to sockets that were reset or shut down; that must not kill
  // the process.
  std::signal(SIGPIPE, SIG_IGN);
  if (!options_.tls_cert.empty() && !options_.tls_key.empty()) {
    http_ =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  const int threads = std::max(options_.threads, 4);
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_max_count(1000000);
  http_->set_keep_alive_timeout(options_.keep_alive_timeout_s);
  http_->set_payload_max_length(options_.max_body_bytes);
  // Remember the listening socket: the library listens with a backlog of 5,
  // which drops SYNs (1 s client retransmits) when many clients connect at once.
  http_->set_socket_options([this](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd_ = sock;
  });
  if (options_.protocol == ServeProtocol::kOpenAi) {
    budget_ = std::make_unique<RateBudget>(options_.rpm_limit, options_.tpm_limit, engine->clock(),
                                           options_.limit_window);
  }
  InstallRoutes();
  InstallAdminRoutes();
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind() {
  if (!http_->is_valid()) {
    return InvalidArgument("cannot load TLS certificate/key (" + options_.tls_cert + ", " +
                           options_.tls_key + ")");
  }
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ <= 0) return Status(StatusCode::kNetwork, "cannot bind " + options_.host);
  } else {
    if (!http_->bind_to_port(options_.host, options_.port)) {
      return Status(StatusCode::kNetwork,
                    "cannot bind " + options_.host + ":" + std::to_string(options_.port));
    }
    port_ = options_.port;
  }
  // Calling listen() again on a listening socket only updates its backlog.
  if (listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);
  return Status::Ok();
}

bool HttpServer::Run() { return http_->listen_after_bind(); }

Status HttpServer::Start() {
  CNAKE_RETURN_IF_ERROR(Bind());
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  stop_.Stop();
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpServer::BaseUrl() const {
  const bool tls = !options_.tls_cert.empty() && !options_.tls_key.empty();
  std::string host = options_.host == "0.0.0.0" ? "127.0.0.1" : options_.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port_) +
         options_.base_path;
}

void HttpServer::InstallRoutes() {
  if (options_.protocol == ServeProtocol::kOpenAi) {
    InstallChatRoutes();
  } else {
    InstallContractRoutes();
  }
  http_->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    HandleLibraryError(req, res);
  });
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content("Internal Server Error", "text/plain; charset=utf-8");
      });
}

void HttpServer::InstallContractRoutes() {
  const std::string& base = options_.base_path;
  http_->Post(base + "/generate", [this](const httplib::Request& req, httplib::Response& res) {
    HandleGenerate(req, res);
  });
  http_->Get(base + R"(/status/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               HandleLookup(Endpoint::kStatus, req, res);
             });
  http_->Get(base + R"(/results/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               HandleLookup(Endpoint::kResults, req, res);
             });
  http_->Get(base + "/health", [this](const httplib::Request& req, httplib::Response& res) {
    HandleHealth(req, res);
  });

  // FastAPI answers 405 for a known path with the wrong method.
  auto not_allowed = [this](const char* allow) {
    return [this, allow](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", allow);
      res.status = 405;
      res.set_content(Dump(DetailJson("Method Not Allowed")), kJsonType);
      if (log_ != nullptr) {
        RequestLogEntry entry;
        entry.method = req.method;
        entry.path = req.path;
        entry.status = 405;
        log_->Write(entry);
      }
      responses_[405]++;
    };
  };
  http_->Get(base + "/generate", not_allowed("POST"));
  http_->Put(base + "/generate", not_allowed("POST"));
  http_->Post(base + R"(/(status|results)/([^/]+))", not_allowed("GET"));
  http_->Post(base + "/health", not_allowed("GET"));
}

void HttpServer::HandleLibraryError(const httplib::Request& req, httplib::Response& res) {
  // Only responses the library produced itself (no route ran) arrive empty.
  if (!res.body.empty() || res.content_provider_) return;
  const char* detail = "Error";
  switch (res.status) {
    case 400:
      detail = "Bad Request";
      break;
    case 404:
      detail = "Not Found";
      break;
    case 413:
      detail = "Request body too large";
      break;
    case 414:
      detail = "URI Too Long";
      break;
    case 416:
      detail = "Range Not Satisfiable";
      break;
  }
  const bool openai = options_.protocol == ServeProtocol::kOpenAi;
  res.set_content(Dump(openai ? OpenAiError(detail, "invalid_request_error") : DetailJson(detail)),
                  kJsonType);
  if (res.status >= 0 && res.status < static_cast<int>(responses_.size())) responses_[res.status]++;
  if (log_ != nullptr && req.path.rfind(options_.base_path, 0) == 0) {
    RequestLogEntry entry;
    entry.method = req.method;
    entry.path = req.path;
    entry.status = res.status;
    if (req.has_header("Idempotency-Key"))
      entry.idempotency_key = req.get_header_value("Idempotency-Key");
    log_->Write(entry);
  }
}

bool HttpServer::Authorized(const httplib::Request& req) const {
  if (options_.api_key.empty()) return true;
  return ConstantTimeEquals(req.get_header_value("Authorization"), "Bearer " + options_.api_key);
}

bool HttpServer::AdminAllowed(const httplib::Request& req) const {
  if (!options_.admin_token.empty()) {
    return ConstantTimeEquals(req.get_header_value("X-Admin-Token"), options_.admin_token);
  }
  return req.remote_addr.rfind("127.", 0) == 0 || req.remote_addr == "::1" ||
         req.remote_addr == "::ffff:127.0.0.1";
}

bool HttpServer::PreFault(Call& call, std::string_view key, uint32_t attempt) {
  if (log_ != nullptr) call.entry.received = log_->Now();
  requests_[static_cast<size_t>(call.endpoint)]++;
  call.entry.attempt = attempt;
  call.scenario = faults_->Current();
  if (!call.scenario->HasFaults(call.endpoint)) return false;
  call.decision = faults_->Decide(*call.scenario, call.endpoint, key, attempt);
  if (call.decision.latency.count() > 0) {
    call.entry.latency = call.decision.latency;
    stop_.WaitFor(call.decision.latency);
  }
  const Fault fault = call.decision.fault;
  if (fault == Fault::kNone) return false;
  faults_->CountInjected(fault);
  call.entry.fault = fault;
  if (FaultCreatesJob(fault)) return false;  // processed first, damaged in Finish()
  call.entry.status = ApplyFault(fault, FaultContextFor(call), 200, json::object(), &call.res);
  Log(call);
  return true;
}

void HttpServer::Finish(Call& call, int status, const json& body) {
  const Fault fault = call.entry.fault;
  if (fault != Fault::kNone && !IsJobFault(fault)) {
    status = ApplyFault(fault, FaultContextFor(call), status, body, &call.res);
  } else {
    call.res.status = status;
    call.res.set_content(Dump(body), kJsonType);
  }
  call.entry.status = status;
  Log(call);
}

void HttpServer::Log(Call& call) {
  const int status = call.entry.status;
  if (status >= 0 && status < static_cast<int>(responses_.size())) responses_[status]++;
  if (log_ != nullptr) log_->Write(call.entry);
}

NewJob HttpServer::MakeJob(const GenerateRequest& request, Fault fault, const Scenario& scenario,
                           std::string_view fault_key) const {
  NewJob job;
  job.fate = FateFor(fault);
  const DelaySpec& delay = scenario.delay ? *scenario.delay : options_.delay;
  job.duration = delay.Sample(HashCombine(faults_->SeedOf(scenario), Fnv1a64(fault_key)));
  auto output = std::make_shared<JobOutput>();
  if (job.fate == JobFate::kFails) {
    output->error_messages = {
        "Generation failed after " + std::to_string(request.max_attempts) +
            " attempt(s): the generated code did not pass the equivalency check",
        "injected fault: job_failed"};
  } else {
    const translate::Translation t = translate::TranslateCython(request.source_code);
    output->python = t.python;
    output->python_sha256 = Sha256Hex(t.python);
    output->analysis_results = AnalysisJson(t, request);
  }
  job.output = std::move(output);
  return job;
}

void HttpServer::HandleGenerate(const httplib::Request& req, httplib::Response& res) {
  Call call(Endpoint::kGenerate, req, res);
  const std::string idempotency_key = req.get_header_value("Idempotency-Key");
  if (!idempotency_key.empty()) call.entry.idempotency_key = idempotency_key;
  GenerateRequest request;
  json detail;
  const bool valid = ParseGenerateRequest(req.body, &request, &detail);
  if (request.has_source_code) call.entry.source_sha256 = Sha256Hex(request.source_code);
  call.entry.source_id = request.metadata.value("source_id", json());
  call.entry.batch_id = request.metadata.value("batch_id", json());
  const std::string body_hash =
      request.canonical_hash.empty() ? Sha256Hex(req.body) : request.canonical_hash;
  const std::string fault_key =
      idempotency_key.empty() ? "body:" + body_hash : "idem:" + idempotency_key;

  if (PreFault(call, fault_key, faults_->NextGenerateAttempt(fault_key))) return;
  if (!Authorized(req)) {
    res.set_header("WWW-Authenticate", "Bearer");
    return Finish(call, 401, DetailJson("Not authenticated"));
  }
  if (!valid) return Finish(call, 422, {{"detail", detail}});

  const Fault fault = call.entry.fault;
  auto submitted = engine_->Submit(SubmitOptions{idempotency_key, body_hash, fault_key}, [&] {
    return MakeJob(request, fault, *call.scenario, fault_key);
  });
  if (!submitted.ok()) {
    return Finish(call, 422,
                  ValidationError(json::array({"header", "Idempotency-Key"}),
                                  submitted.status().message(), "idempotency_key_reused"));
  }
  call.entry.request_id = submitted->job.request_id;
  call.entry.job_created = submitted->created;
  if (options_.mode == ServeMode::kAsync) {
    return Finish(call, 200, AcceptedJson(submitted->job.request_id));
  }

  // Synchronous deployments answer with the finished result.
  const JobSnapshot& job = submitted->job;
  if (job.fate == JobFate::kNeverCompletes || job.fate == JobFate::kLost) {
    const Fault shown = job.fate == JobFate::kLost ? Fault::kStatus500 : Fault::kHang;
    call.entry.status = ApplyFault(shown, FaultContextFor(call), 200, json::object(), &res);
    return Log(call);
  }
  return Finish(call, 200, WaitForSyncResult(*submitted, call));
}

FaultContext HttpServer::FaultContextFor(const Call& call) {
  FaultContext ctx{&call.req,          &call.scenario->params, call.endpoint,
                   call.decision.hash, engine_->clock(),       &stop_};
  ctx.openai = options_.protocol == ServeProtocol::kOpenAi;
  return ctx;
}

json HttpServer::WaitForSyncResult(const SubmitResult& submitted, Call& call) {
  const JobSnapshot job = WaitForJob(submitted);
  if (job.state == JobState::kCompleted && job.output) {
    call.entry.python_sha256 = job.output->python_sha256;
  }
  return ResultsJson(job);
}

JobSnapshot HttpServer::WaitForJob(const SubmitResult& submitted) {
  Clock* clock = engine_->clock();
  for (MonoTime now = clock->Now(); now < submitted.job.finish; now = clock->Now()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(submitted.job.finish - now);
    if (stop_.WaitFor(
            std::min(left + std::chrono::milliseconds(1), std::chrono::milliseconds(50)))) {
      break;
    }
  }
  std::optional<JobSnapshot> job = engine_->Observe(submitted.job.request_id, LookupKind::kResults);
  if (!job) {
    // Forgotten already (retention 0): serve the outcome fixed at submission.
    job = submitted.job;
    job->state = job->fate == JobFate::kFails ? JobState::kFailed : JobState::kCompleted;
    job->progress = 100.0;
    job->eta_seconds.reset();
  }
  return *job;
}

void HttpServer::HandleLookup(Endpoint endpoint, const httplib::Request& req,
                              httplib::Response& res) {
  Call call(endpoint, req, res);
  const std::string id = req.matches[1];
  call.entry.request_id = id;
  const LookupKind kind =
      endpoint == Endpoint::kStatus ? LookupKind::kStatus : LookupKind::kResults;
  const std::optional<JobEngine::Attempt> attempt = engine_->CountAttempt(id, kind);
  const std::string key = attempt ? attempt->fault_key : "id:" + id;
  const uint32_t number = attempt ? attempt->number : faults_->NextAnonymousAttempt(endpoint);
  if (PreFault(call, key, number)) return;
  if (!Authorized(req)) {
    res.set_header("WWW-Authenticate", "Bearer");
    return Finish(call, 401, DetailJson("Not authenticated"));
  }
  const std::optional<JobSnapshot> job = engine_->Observe(id, kind);
  if (!job || job->fate == JobFate::kLost) {
    if (job && call.entry.fault == Fault::kNone) call.entry.fault = Fault::kJobLost;
    return Finish(call, 404, NotFoundJson(id));
  }
  if (endpoint == Endpoint::kStatus) {
    JobSnapshot status = *job;
    if (!options_.send_eta) status.eta_seconds.reset();
    return Finish(call, 200, StatusJson(status));
  }
  if (job->state == JobState::kCompleted && job->output) {
    call.entry.python_sha256 = job->output->python_sha256;
  }
  Finish(call, 200, ResultsJson(*job));
}

void HttpServer::HandleHealth(const httplib::Request& req, httplib::Response& res) {
  Call call(Endpoint::kHealth, req, res);
  if (PreFault(call, "", faults_->NextAnonymousAttempt(Endpoint::kHealth))) return;
  Finish(call, 200, {{"status", "ok"}});
}

}  // namespace cnake::server
