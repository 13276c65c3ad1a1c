#include "cli/batch_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ostream>

#include "api/curl_transport.h"
#include "api/protocol.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "control/control_server.h"
#include "engine/engine.h"
#include "engine/snapshot_json.h"
#include "report/systemic_hints.h"
#include "report/token_figures.h"
#include "scheduler/retry_policy.h"
#include "util/entropy.h"

namespace cnake::cli {
namespace {

using std::chrono::duration_cast;

Duration Seconds(double s) { return duration_cast<Duration>(std::chrono::duration<double>(s)); }

engine::EngineOptions EngineOptionsFrom(const Config& c, const std::string& batch_id) {
  engine::EngineOptions o;
  o.batch_id = batch_id;
  o.base_url = c.api.base_url;
  o.max_concurrent = c.processing.max_concurrent;
  o.rate.requests_per_minute = c.processing.rate_limit.requests_per_minute;
  o.rate.burst = c.processing.rate_limit.burst;
  o.retry.max_retries = c.api.max_retries;
  o.retry.base_delay = Seconds(c.api.retry_delay);
  o.retry.max_delay = Seconds(c.api.max_retry_delay);
  o.retry.max_retry_after = Seconds(c.api.max_retry_delay);
  o.poll.initial = Seconds(c.processing.poll_interval);
  o.poll.max = Seconds(c.processing.max_poll_interval);
  o.job_timeout = Seconds(c.processing.job_timeout);
  o.breaker_threshold = c.processing.circuit_breaker_threshold;
  o.shutdown_grace = Seconds(c.processing.shutdown_grace);
  o.prompt_template = c.processing.prompt_template;
  o.tokens.tokens_per_minute = c.processing.rate_limit.tokens_per_minute;
  o.price_per_million_input = c.api.price_per_million_input_tokens;
  o.price_per_million_output = c.api.price_per_million_output_tokens;
  if (const char* seed = std::getenv("CNAKE_TEST_SEED")) o.seed = std::strtoull(seed, nullptr, 10);
  // Tests only: a shorter token window, so that several windows pass in seconds.
  if (const char* w = std::getenv("CNAKE_TEST_TOKEN_WINDOW_SECONDS")) {
    o.tokens.window = Seconds(std::max(0.001, std::strtod(w, nullptr)));
  }
  return o;
}

Result<std::unique_ptr<api::CurlTransport>> MakeTransport(const Context& ctx,
                                                          const RunFlags& flags) {
  api::TransportOptions options =
      api::TransportOptionsFromConfig(ctx.config().api, ctx.config().processing.max_concurrent);
  options.insecure = flags.insecure;
  options.verbose = flags.verbose_http;
  if (flags.insecure) {
    *ctx.err << "warning: --insecure: TLS certificates and host names are NOT verified\n";
  }
  return api::CurlTransport::Create(std::move(options));
}

void PrintSummary(const Context& ctx, const engine::RunSummary& r) {
  const engine::Snapshot& s = r.final;
  *ctx.out << fmt::format(
      "batch {}: {} — {} completed, {} failed, {} left of {} in {:.1f}s ({:.2f} entries/s)\n",
      s.batch_id, engine::StopReasonName(r.reason), s.completed, s.failed, s.total - s.finished(),
      s.total, s.elapsed_seconds, s.entries_per_second);
  *ctx.out << fmt::format(
      "requests: {} (generate {}, status {}, results {}), retries {}, 429s {}, lost jobs {}; "
      "latency p50 {:.0f} ms, p90 {:.0f} ms, p99 {:.0f} ms\n",
      s.requests, s.requests_by_endpoint[0], s.requests_by_endpoint[1], s.requests_by_endpoint[2],
      s.retries, s.throttled, s.lost_jobs, s.latency.Quantile(0.5), s.latency.Quantile(0.9),
      s.latency.Quantile(0.99));
  if (!r.database_error.ok()) {
    PrintError(ctx, r.database_error);
  } else if (!r.message.empty()) {
    PrintError(ctx, Status(StatusCode::kInternal, r.message));
  }
  if (std::string tokens = report::TokensLine(engine::SnapshotJson(s)["tokens"]); !tokens.empty()) {
    *ctx.out << tokens << "\n";
  }
  if (!s.recent_errors.empty() && s.failed > 0) {
    *ctx.err << "recent errors:\n";
    for (const auto& e : s.recent_errors) *ctx.err << "  " << e << "\n";
  }
  // A failed commit rolled back: what was committed before it stays resumable.
  if (r.reason == engine::StopReason::kInterrupted || r.reason == engine::StopReason::kCancelled ||
      r.reason == engine::StopReason::kDatabase) {
    *ctx.err << "resume with: cnake-charmer-client resume --batch-id " << s.batch_id << "\n";
  }
}

int ExitCodeForRun(const engine::RunSummary& r) {
  switch (r.reason) {
    case engine::StopReason::kFinished:
      return r.final.failed > 0 ? kExitEntriesFailed : kExitOk;
    case engine::StopReason::kInterrupted:
    case engine::StopReason::kCancelled:
      return kExitInterrupted;
    case engine::StopReason::kAuthFailed:
    case engine::StopReason::kFatal:
      return kExitApi;
    case engine::StopReason::kDatabase:
      return kExitDatabase;
  }
  return kExitDatabase;
}

}  // namespace

void AddRunFlags(CLI::App& cmd, RunFlags& flags) {
  cmd.add_option("--progress", flags.progress, "tty, log, json (NDJSON on stderr) or none")
      ->check(CLI::IsMember({"tty", "log", "json", "none"}));
  cmd.add_flag("--insecure", flags.insecure, "Do not verify TLS certificates (prints a warning)");
  cmd.add_flag("--verbose-http", flags.verbose_http, "Log HTTP exchanges (the key is redacted)");
}

nlohmann::json BatchOptionsJson(const Config& c, const nlohmann::json& selection) {
  nlohmann::json options = {{"base_url", c.api.base_url},
                            {"protocol", c.api.protocol},
                            {"api_key_fingerprint", c.api.api_key.Fingerprint()},
                            {"max_concurrent", c.processing.max_concurrent},
                            {"requests_per_minute", c.processing.rate_limit.requests_per_minute},
                            {"burst", c.processing.rate_limit.burst},
                            {"max_retries", c.api.max_retries},
                            {"retry_delay", c.api.retry_delay},
                            {"job_timeout", c.processing.job_timeout},
                            {"selection", selection}};
  if (c.api.protocol == "openai") {
    options["model"] = c.api.model;
    options["tokens_per_minute"] = c.processing.rate_limit.tokens_per_minute;
    options["price_per_million_input_tokens"] = c.api.price_per_million_input_tokens;
    options["price_per_million_output_tokens"] = c.api.price_per_million_output_tokens;
  }
  return options;
}

// What to do when the start-up check could not reach the API.
std::string UnreachableHint(api::TransportError error, const std::string& url) {
  switch (error) {
    case api::TransportError::kTls:
      return "Check the server's certificate and host name; for a private CA set api.ca_file "
             "(--ca-file)";
    case api::TransportError::kTlsHandshake:
      return fmt::format(
          "The TLS handshake failed before any certificate was checked: does {} speak HTTPS? "
          "(a plain-HTTP server needs an http:// URL)",
          url);
    default:
      return fmt::format("Is the API running at {}?", url);
  }
}

// What the health check's answer says beyond "the API is up": the chat
// protocol's model list must name api.model. A server without a readable
// model list only draws a warning (some OpenAI-compatible proxies have none).
Status CheckHealthAnswer(const Context& ctx, const api::Protocol& protocol,
                         const api::Response& answer) {
  const std::string path = protocol.HealthPath();
  if (answer.http_status < 200 || answer.http_status >= 300) {
    if (std::string(protocol.name()) == "openai") {
      *ctx.err << fmt::format(
          "warning: GET {} answered HTTP {}: cannot check that the API serves api.model\n", path,
          answer.http_status);
    }
    return Status::Ok();
  }
  Status health = protocol.CheckHealth(answer.body);
  if (health.code() == StatusCode::kParse) {
    *ctx.err << fmt::format(
        "warning: cannot read the answer of GET {} ({}): not checking "
        "api.model\n",
        path, health.message());
    return Status::Ok();
  }
  return health.ok() ? health
                     : Status(health.code(),
                              fmt::format("{} at {}", health.message(), ctx.config().api.base_url));
}

Status Preflight(const Context& ctx, const RunFlags& flags) {
  auto transport = MakeTransport(ctx, flags);
  if (!transport.ok()) return transport.status();
  auto protocol = api::ProtocolFromConfig(ctx.config());
  if (!protocol.ok()) return protocol.status();
  const std::string& url = ctx.config().api.base_url;
  api::Response last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    api::Request req;
    req.endpoint = api::Endpoint::kHealth;
    req.path = (*protocol)->HealthPath();
    (*transport)->Start(req);
    std::vector<api::Response> done;
    while (done.empty()) done = (*transport)->Poll(std::chrono::seconds(1));
    last = done.front();
    // What the retry policy calls fatal (a refused certificate, a port that
    // does not speak TLS) does not fix itself within a second.
    if (last.transport == api::TransportError::kNone ||
        scheduler::Classify({.transport = last.transport}) == scheduler::ErrorClass::kFatal) {
      break;
    }
    if (attempt < 2) usleep(500000 * (attempt + 1));
  }
  if (last.transport != api::TransportError::kNone) {
    return Status(StatusCode::kNetwork,
                  fmt::format("cannot reach the API at {}: {}. {}", url, last.error,
                              UnreachableHint(last.transport, url)));
  }
  if (last.http_status == 401 || last.http_status == 403) {
    return Status(StatusCode::kAuth, fmt::format("authentication failed (HTTP {}) at {}: check "
                                                 "CNAKE_API_KEY or api.api_key_file",
                                                 last.http_status, url));
  }
  return CheckHealthAnswer(ctx, **protocol, last);
}

namespace {

// The live channel for other processes while the engine runs: the control
// endpoint and the run file that advertises it. Both go away when this does.
class LiveChannel {
 public:
  LiveChannel(const Context& ctx, engine::Engine& eng, const std::string& batch_id)
      : path_(control::RunFilePath(ctx.config().duckdb.db_path)) {
    control::RunFile run;
    run.pid = getpid();
    run.batch_id = batch_id;
    run.db_path = ctx.config().duckdb.db_path;
    run.token = SystemEntropy().Hex(32);
    auto server = control::ControlServer::Start(
        run.token, {[&eng] { return engine::SnapshotJson(eng.CurrentSnapshot()).dump(); },
                    [&eng] { return engine::PrometheusMetrics(eng.CurrentSnapshot()); },
                    [&eng] { eng.RequestStop(engine::StopReason::kCancelled); }});
    Status published = server.ok() ? Status::Ok() : server.status();
    if (published.ok()) {
      server_ = std::move(server).value();
      run.port = server_->port();
      published = control::WriteRunFile(path_, run);
    }
    if (!published.ok()) spdlog::warn("live status channel unavailable: {}", published.message());
  }
  ~LiveChannel() {
    server_.reset();
    std::remove(path_.c_str());
  }

 private:
  std::string path_;
  std::unique_ptr<control::ControlServer> server_;
};

ProgressPrinter MakePrinter(const Context& ctx, const RunFlags& flags) {
  ProgressMode mode = DefaultProgressMode();
  if (!flags.progress.empty()) ParseProgressMode(flags.progress, mode);
  if (ctx.quiet) mode = ProgressMode::kNone;
  const bool color = mode == ProgressMode::kTty && std::getenv("NO_COLOR") == nullptr;
  return ProgressPrinter(*ctx.err, mode, color, RealClock());
}

}  // namespace

int RunBatch(Context& ctx, Store& store, engine::BatchLifecycle& lifecycle,
             const std::string& batch_id, const RunFlags& flags) {
  auto transport = MakeTransport(ctx, flags);
  if (!transport.ok()) return Fail(ctx, transport.status());
  auto protocol = api::ProtocolFromConfig(ctx.config());
  if (!protocol.ok()) return Fail(ctx, protocol.status());
  RunnerInfo runner{SystemEntropy().Hex(8), "", getpid()};
  auto work = store.OpenWork(batch_id, runner);
  if (!work.ok()) return Fail(ctx, work.status());
  engine::RunSummary summary;
  {
    engine::EngineOptions options = EngineOptionsFrom(ctx.config(), batch_id);
    options.protocol = std::move(protocol).value();
    engine::Engine eng(**work, **transport, RealClock(), std::move(options));
    LiveChannel live(ctx, eng, batch_id);
    ProgressPrinter printer = MakePrinter(ctx, flags);
    if (ctx.signals) {
      ctx.signals->SetHandler([&eng](int count, int) {
        if (count >= 2) _exit(kExitInterrupted);  // committed state stays resumable
        eng.RequestStop(engine::StopReason::kInterrupted);
      });
    }
    summary = eng.Run([&printer](const engine::Snapshot& s) { printer.Update(s); });
    if (ctx.signals) ctx.signals->SetHandler(nullptr);
    printer.Finish();
  }
  (void)(*work)->Release();
  if (Status st = lifecycle.Finish(batch_id, summary);
      !st.ok() && summary.reason != engine::StopReason::kDatabase) {
    summary.reason = engine::StopReason::kDatabase;
    summary.message = st.message();
    summary.database_error = st;
  }
  PrintSummary(ctx, summary);
  auto hints = report::HintsFromStore(store.queries(), batch_id);  // systemic failures
  for (const std::string& h : hints.ok() ? *hints : std::vector<std::string>{})
    *ctx.err << "hint: " << h << "\n";
  return ExitCodeForRun(summary);
}

}  // namespace cnake::cli
