// cnake-charmer-server: the reference CnakeCharmer API with deterministic
// fault injection. Flags and behaviour: docs/api.md ("Reference server").
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "server/fault_controller.h"
#include "server/http_server.h"
#include "server/job_engine.h"
#include "server/request_log.h"
#include "util/exit_codes.h"

namespace {

using namespace cnake::server;

// Secrets come from the environment or a file, never argv (visible to all users).
cnake::Result<std::string> ReadSecret(const std::string& env_name, const std::string& file) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return cnake::IoError("cannot read " + file);
    std::stringstream text;
    text << in.rdbuf();
    std::string secret = text.str();
    while (!secret.empty() &&
           (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) {
      secret.pop_back();
    }
    if (secret.empty()) return cnake::InvalidArgument(file + " is empty");
    return secret;
  }
  const char* value = std::getenv(env_name.c_str());
  return std::string(value != nullptr ? value : "");
}

int Fail(const std::string& message) {
  spdlog::error("{}", message);
  return cnake::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cnake-charmer-server: reference CnakeCharmer API with fault injection"};
  ServerOptions options;
  std::string mode = "async";
  uint64_t seed = 0;
  std::string delay = "fixed:0ms";
  size_t capacity = 4;
  double retention_s = 3600;
  std::string scenario_path, request_log_path, api_key_file, admin_token_file;
  std::string protocol = "cnakecharmer";
  std::vector<std::string> models;
  bool quiet = false;
  bool no_eta = false;
  app.add_option("--host", options.host, "Address to bind")->capture_default_str();
  app.add_option("--port", options.port, "Port to bind, 0 for any free port")
      ->capture_default_str();
  auto* base_path = app.add_option("--base-path", options.base_path,
                                   "API path prefix (default /api, or /v1 with --protocol openai)");
  app.add_option("--protocol", protocol,
                 "cnakecharmer: the CnakeCharmer contract; openai: chat completions and models")
      ->check(CLI::IsMember({"cnakecharmer", "openai"}))
      ->capture_default_str();
  app.add_option("--model", models,
                 "openai: a model id to serve (repeatable; default cnake-charmer-translator)");
  app.add_option("--rpm-limit", options.rpm_limit,
                 "openai: requests per minute before 429 (x-ratelimit-* headers); 0 = none")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--tpm-limit", options.tpm_limit,
                 "openai: tokens per minute before 429 (x-ratelimit-* headers); 0 = none")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  double limit_window_s = 60;
  app.add_option("--limit-window", limit_window_s,
                 "openai: seconds the --rpm-limit and --tpm-limit budgets refill in (tests)")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  app.add_option("--mode", mode, "async: POST /generate returns a request_id; sync: the result")
      ->check(CLI::IsMember({"async", "sync"}))
      ->capture_default_str();
  app.add_option("--seed", seed, "Fault-injection seed (a scenario's own seed wins)")
      ->capture_default_str();
  app.add_option(
         "--delay", delay,
         "Job processing time: fixed:<d> | uniform:<lo>,<hi> | lognormal:median=<d>,sigma=<x>")
      ->capture_default_str();
  app.add_flag("--no-eta", no_eta,
               "Status answers carry \"eta\": null (an API that does not estimate)");
  app.add_option("--capacity", capacity, "Jobs processed at once; the rest queue")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--retention", retention_s, "Seconds a finished job is kept (then 404)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app.add_option("--max-body-bytes", options.max_body_bytes, "Larger request bodies get 413")
      ->capture_default_str();
  app.add_option("--threads", options.threads,
                 "Worker threads; each serves one keep-alive connection")
      ->check(CLI::Range(4, 16384))
      ->capture_default_str();
  app.add_option("--scenario", scenario_path, "Fault scenario JSON file")->check(CLI::ExistingFile);
  app.add_option("--request-log", request_log_path, "Append one JSON line per API request");
  app.add_option("--api-key-file", api_key_file,
                 "File holding the API key (else env CNAKE_SERVER_API_KEY; none: no auth)")
      ->check(CLI::ExistingFile);
  app.add_option("--admin-token-file", admin_token_file,
                 "File holding the admin token (else env CNAKE_SERVER_ADMIN_TOKEN; none: "
                 "admin from loopback only)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-cert", options.tls_cert, "PEM certificate (with --tls-key: HTTPS)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key, "PEM private key")->check(CLI::ExistingFile);
  app.add_flag("--quiet", quiet, "Only errors on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every other parse or validation error is a usage error.
    return app.exit(e) == 0 ? cnake::kExitOk : cnake::kExitUsage;
  }
  // stdout carries only the "listening on" line; diagnostics go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("server"));
  spdlog::set_level(quiet ? spdlog::level::err : spdlog::level::info);
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Fail("--tls-cert and --tls-key go together");
  }

  options.mode = mode == "sync" ? ServeMode::kSync : ServeMode::kAsync;
  options.limit_window = Micros(static_cast<int64_t>(limit_window_s * 1e6));
  if (protocol == "openai") {
    options.protocol = ServeProtocol::kOpenAi;
    if (base_path->count() == 0) options.base_path = "/v1";
    if (!models.empty()) options.models = models;
  } else if (!models.empty() || options.rpm_limit > 0 || options.tpm_limit > 0) {
    return Fail("--model, --rpm-limit and --tpm-limit go with --protocol openai");
  }
  auto delay_spec = DelaySpec::Parse(delay);
  if (!delay_spec.ok()) return Fail("--delay: " + delay_spec.status().message());
  options.delay = *delay_spec;
  options.send_eta = !no_eta;
  auto api_key = ReadSecret("CNAKE_SERVER_API_KEY", api_key_file);
  if (!api_key.ok()) return Fail(api_key.status().ToString());
  options.api_key = *api_key;
  auto admin_token = ReadSecret("CNAKE_SERVER_ADMIN_TOKEN", admin_token_file);
  if (!admin_token.ok()) return Fail(admin_token.status().ToString());
  options.admin_token = *admin_token;

  Scenario scenario;
  if (!scenario_path.empty()) {
    auto loaded = Scenario::FromFile(scenario_path);
    if (!loaded.ok()) return Fail(loaded.status().ToString());
    scenario = std::move(loaded).value();
  }

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  SystemClock clock;
  std::unique_ptr<RequestLog> request_log;
  if (!request_log_path.empty()) {
    auto opened = RequestLog::Open(request_log_path, &clock);
    if (!opened.ok()) return Fail(opened.status().ToString());
    request_log = std::move(opened).value();
  }
  JobEngine engine(JobEngine::Options{capacity, Micros(static_cast<int64_t>(retention_s * 1e6))},
                   &clock);
  FaultController faults(std::move(scenario), seed, &clock);
  HttpServer server(options, &engine, &faults, request_log.get());
  if (cnake::Status bound = server.Start(); !bound.ok()) {
    spdlog::error("{}", bound.ToString());
    return 1;
  }
  std::printf("listening on %s\n", server.BaseUrl().c_str());
  std::fflush(stdout);
  spdlog::info("protocol={} mode={} delay={} capacity={} auth={} admin={}", protocol, mode,
               options.delay.ToString(), capacity, options.api_key.empty() ? "off" : "bearer",
               options.admin_token.empty() ? "loopback" : "token");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: stopping", signal_number);
  server.Stop();
  return cnake::kExitOk;
}
