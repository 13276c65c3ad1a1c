#include "cli/batch_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <thread>

#include "api/api_probe.h"
#include "api/curl_transport.h"
#include "api/protocol.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "control/control_server.h"
#include "engine/engine.h"
#include "engine/snapshot_json.h"
#include "report/performance.h"
#include "report/systemic_hints.h"
#include "report/token_figures.h"
#include "scheduler/retry_policy.h"
#include "util/entropy.h"
#include "util/time_format.h"

namespace cnake::cli {
namespace {

using std::chrono::duration_cast;

Duration Seconds(double s) { return duration_cast<Duration>(std::chrono::duration<double>(s)); }

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

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
  o.renew_interval = Seconds(c.store.renew_interval);
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

// The request counts are the run's; the entry counts, throughput and latency
// are the batch's, the figures as `status` and the reports print them
// (report/performance.h), read back from the store after the run ended.
// bench/lib.sh parses the first two lines.
void PrintSummary(const Context& ctx, const engine::RunSummary& r,
                  const Result<report::Performance>& perf) {
  const engine::Snapshot& s = r.final;
  const std::string counts = fmt::format("batch {}: {} — {} completed, {} failed, {} left of {}",
                                         s.batch_id, engine::StopReasonName(r.reason), s.completed,
                                         s.failed, s.total - s.finished(), s.total);
  // Every request spends rate-limit budget: under a tight --rpm, requests
  // per entry is what the throughput is.
  const std::int64_t finished_now = s.finished() - s.finished_at_start;
  const std::string per_entry =
      finished_now > 0
          ? fmt::format(", {:.2f} per entry", static_cast<double>(s.requests) / finished_now)
          : std::string();
  const std::string requests = fmt::format(
      "requests: {} (generate {}, status {}, results {}){}, retries {}, 429s {}, lost jobs {}",
      s.requests, s.requests_by_endpoint[0], s.requests_by_endpoint[1], s.requests_by_endpoint[2],
      per_entry, s.retries, s.throttled, s.lost_jobs);
  if (perf.ok()) {
    const auto ms = [](const std::optional<double>& v) {
      return v ? report::FormatMs(*v) : std::string("n/a");
    };
    const LatencyRow& lat = perf->latency;
    *ctx.out << fmt::format(
        "{} in {:.1f}s ({} entries/s)\n{}; latency p50 {} ms, p90 {} ms, p99 {} ms\n", counts,
        perf->wall_time_seconds,
        perf->entries_per_second ? report::FormatRate(*perf->entries_per_second) : "n/a", requests,
        ms(lat.p50_ms), ms(lat.p90_ms), ms(lat.p99_ms));
  } else {
    *ctx.out << fmt::format("{} after {:.1f}s\n{}\n", counts, s.elapsed_seconds, requests);
    *ctx.err << "throughput and latency unavailable: " << perf.status().message() << "\n";
  }
  if (std::string held = RateLimitedSummary(s); !held.empty()) *ctx.out << held << "\n";
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
  } else if ((r.reason == engine::StopReason::kAuthFailed ||
              r.reason == engine::StopReason::kFatal) &&
             s.total > s.finished()) {
    // A stopped run fails no entry: they wait in the batch.
    *ctx.err << "once that is fixed, resume with: cnake-charmer-client resume --batch-id "
             << s.batch_id << "\n";
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

Status Preflight(const Context& ctx, const RunFlags& flags) {
  auto transport = MakeTransport(ctx, flags);
  if (!transport.ok()) return transport.status();
  auto protocol = api::ProtocolFromConfig(ctx.config());
  if (!protocol.ok()) return protocol.status();
  api::ProbeOptions probe;
  probe.probe_id = "cnake-preflight-" + SystemEntropy().Hex(16);
  probe.max_retry_after = Seconds(ctx.config().api.max_retry_delay);
  probe.pause = [](Duration d) { std::this_thread::sleep_for(d); };
  probe.warn = [&ctx](const std::string& text) { *ctx.err << "warning: " << text << "\n"; };
  return api::CheckApi(**transport, **protocol, ctx.config().api.base_url, RealClock(), probe);
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
    run.started_at = FormatIsoUtc(std::chrono::system_clock::now());
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
  RunnerInfo runner{SystemEntropy().Hex(8), HostName(), getpid()};
  auto work = store.OpenWork(batch_id, runner);
  if (!work.ok()) return Fail(ctx, work.status());
  spdlog::info("batch={} run starts: {} at {}, up to {} in flight, {} requests/min", batch_id,
               store.Describe(), ctx.config().api.base_url, ctx.config().processing.max_concurrent,
               ctx.config().processing.rate_limit.requests_per_minute);
  if (store.shared() && !ctx.quiet) {
    *ctx.err << "runner " << runner.id << " on " << runner.host << " works on batch " << batch_id
             << " in " << store.Describe() << "\n";
  }
  engine::RunSummary summary;
  {
    engine::EngineOptions options = EngineOptionsFrom(ctx.config(), batch_id);
    // Runners sharing a batch lease small chunks (max_concurrent entries, at
    // least 8): what one holds and has not started is work another could do,
    // at the end of the batch and for a lease time should it die.
    if (store.shared()) {
      options.page_size =
          static_cast<std::size_t>(std::clamp(ctx.config().processing.max_concurrent, 8, 512));
    }
    options.protocol = std::move(protocol).value();
    engine::Engine eng(**work, **transport, RealClock(), std::move(options));
    // A shared store's runners are many and `status` reads the database:
    // only the one process that holds a DuckDB file publishes its channel.
    std::optional<LiveChannel> live;
    if (!store.shared()) live.emplace(ctx, eng, batch_id);
    ProgressPrinter printer = MakePrinter(ctx, flags);
    if (ctx.signals) {
      // 1st: finish what is in flight (up to the grace). 2nd: stop now, and
      // still record the batch as interrupted and remove the run file. 3rd:
      // exit at once; committed state stays resumable either way.
      ctx.signals->SetHandler([&eng, &batch_id](int count, int) {
        if (count >= 3) _exit(kExitInterrupted);
        if (count == 2) {
          spdlog::warn(
              "batch={} stopping now: requests in flight are abandoned (resume polls or "
              "re-sends them under the same key); Ctrl-C again to exit at once",
              batch_id);
        }
        eng.RequestStop(engine::StopReason::kInterrupted);
      });
    }
    summary = eng.Run([&printer](const engine::Snapshot& s) { printer.Update(s); });
    if (ctx.signals) ctx.signals->SetHandler(nullptr);
    printer.Finish();
  }
  // A failed release leaves committed results in the journal, replayed at the
  // next open: nothing is lost, but the figures below would be stale.
  if (Status released = (*work)->Release(); !released.ok()) {
    spdlog::warn("batch={} could not fold its committed results yet: {}", batch_id,
                 released.ToString());
  }
  if (Status st = lifecycle.Finish(batch_id, summary);
      !st.ok() && summary.reason != engine::StopReason::kDatabase) {
    summary.reason = engine::StopReason::kDatabase;
    summary.message = st.message();
    summary.database_error = st;
  }
  spdlog::info("batch={} run ends: {}; {} completed, {} failed, {} left of {}", batch_id,
               engine::StopReasonName(summary.reason), summary.final.completed,
               summary.final.failed, summary.final.total - summary.final.finished(),
               summary.final.total);
  PrintSummary(ctx, summary, report::ReadPerformance(store.queries(), ReportScope{batch_id}));
  auto hints = report::HintsFromStore(store.queries(), batch_id);  // systemic failures
  for (const std::string& h : hints.ok() ? *hints : std::vector<std::string>{})
    *ctx.err << "hint: " << h << "\n";
  return ExitCodeForRun(summary);
}

}  // namespace cnake::cli
