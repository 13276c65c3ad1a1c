#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "cli/live.h"
#include "control/control_server.h"
#include "engine/batch_lifecycle.h"
#include "report/performance.h"
#include "report/token_figures.h"
#include "util/entropy.h"

namespace cnake::cli {
namespace {

Result<nlohmann::json> StoredStatus(Store& store, const std::string& batch_id,
                                    const report::TokenPrices& prices) {
  CNAKE_ASSIGN_OR_RETURN(auto batch, store.GetBatch(batch_id));
  if (!batch) return report::NoSuchBatch(batch_id);
  // A batch recorded running whose runner died is interrupted.
  engine::BatchLifecycle lifecycle(store, RealClock(), SystemEntropy());
  CNAKE_ASSIGN_OR_RETURN(engine::BatchView view, lifecycle.View(*batch));
  CNAKE_ASSIGN_OR_RETURN(BatchCounts counts, store.CountBatch(batch_id));
  auto optional = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  nlohmann::json by_state = {{"total", counts.total}};
  for (EntryState state : kAllEntryStates) {
    by_state[std::string(EntryStateName(state))] = counts.Of(state);
  }
  nlohmann::json j = {{"batch_id", batch_id},
                      {"state", view.status_text},
                      {"runner_gone", view.runner_gone},
                      {"live", false},
                      {"started_at", batch->started_at},
                      {"completed_at", batch->completed_at},
                      // The live status's names; null until a run of the batch has ended.
                      {"rate_wait_seconds", optional(batch->retry_after_wait_seconds)},
                      {"breaker_open_seconds", optional(batch->breaker_open_seconds)},
                      {"counts", by_state}};
  // The figures the run summary and the reports print (report/performance.h).
  CNAKE_ASSIGN_OR_RETURN(report::Performance perf,
                         report::ReadPerformance(store.queries(), batch_id, counts));
  const LatencyRow& lat = perf.latency;
  j["latency_ms"] = {{"p50", optional(lat.p50_ms)},
                     {"p90", optional(lat.p90_ms)},
                     {"p99", optional(lat.p99_ms)},
                     {"count", lat.count}};
  j["wall_time_seconds"] = perf.wall_time_seconds;
  j["entries_per_second"] = optional(perf.entries_per_second);
  CNAKE_ASSIGN_OR_RETURN(auto errors, store.queries().RecentErrors(batch_id, 5));
  j["recent_errors"] = errors;
  CNAKE_ASSIGN_OR_RETURN(TokenTotalsRow tokens, store.queries().TokenTotals(batch_id));
  CNAKE_ASSIGN_OR_RETURN(auto options, store.GetBatchOptions(batch_id));
  j["tokens"] = report::TokensJson(tokens, report::PricesFor(options, prices));
  if (store.shared()) {
    CNAKE_ASSIGN_OR_RETURN(auto runners, store.LiveRunners(batch_id));
    nlohmann::json list = nlohmann::json::array();
    for (const RunnerStatus& r : runners) {
      list.push_back({{"id", r.runner.id},
                      {"host", r.runner.host},
                      {"pid", r.runner.pid},
                      {"started_at", r.started_at},
                      {"heartbeat_at", r.heartbeat_at},
                      {"leased", r.leased},
                      {"rate_share", r.rate_share}});
    }
    j["live"] = !runners.empty();
    j["runners"] = list;
    j["store"] = store.Describe();
  }
  return j;
}

// "throughput 3.25 entries/s over 12.3 s; API latency p50 ... over N requests",
// formatted as the run summary and the reports format them.
std::string StoredFigures(const nlohmann::json& j) {
  const auto number = [](const nlohmann::json& v, std::string (*format)(double)) {
    return v.is_number() ? format(v.get<double>()) : std::string("n/a");
  };
  const auto& l = j["latency_ms"];
  return fmt::format(
      "throughput {} entries/s over {:.1f} s; API latency p50 {} ms, p90 {} ms, p99 {} ms over "
      "{} requests\n",
      number(j["entries_per_second"], report::FormatRate), j.value("wall_time_seconds", 0.0),
      number(l["p50"], report::FormatMs), number(l["p90"], report::FormatMs),
      number(l["p99"], report::FormatMs), l.value("count", 0));
}

void PrintStored(const Context& ctx, const nlohmann::json& j) {
  const auto& c = j["counts"];
  *ctx.out << fmt::format("batch {} ({}{}), started {}{}\n", j["batch_id"].get<std::string>(),
                          j["state"].get<std::string>(),
                          j.value("runner_gone", false) ? " (runner gone)" : "",
                          j["started_at"].get<std::string>(),
                          j["completed_at"].get<std::string>().empty()
                              ? ""
                              : ", finished " + j["completed_at"].get<std::string>());
  for (EntryState state : kAllEntryStates) {
    const std::string name(EntryStateName(state));
    *ctx.out << fmt::format("  {:<11} {:>8}\n", name, c.value(name, 0));
  }
  *ctx.out << StoredFigures(j);
  if (j["rate_wait_seconds"].is_null()) {
    *ctx.out << "waits: not recorded yet (a run records them when it ends)\n";
  } else {
    *ctx.out << fmt::format(
        "waits: paused on Retry-After {:.1f} s, circuit breaker open {:.1f} s\n",
        j["rate_wait_seconds"].get<double>(), j.value("breaker_open_seconds", 0.0));
  }
  if (std::string tokens = report::TokensLine(j["tokens"]); !tokens.empty()) {
    *ctx.out << tokens << "\n";
  }
  for (const auto& e : j["recent_errors"]) *ctx.out << "  error: " << e.get<std::string>() << "\n";
  if (!j.contains("runners")) return;
  *ctx.out << fmt::format("runners: {} live in {}\n", j["runners"].size(),
                          j.value("store", std::string()));
  for (const auto& r : j["runners"]) {
    const double share = r.value("rate_share", 0.0);
    *ctx.out << fmt::format("  {} on {} (PID {}): {} leased, {} of the rate, last heartbeat {}\n",
                            r.value("id", ""), r.value("host", ""), r.value("pid", 0),
                            r.value("leased", 0),
                            share > 0 ? fmt::format("{:.0f}%", share * 100) : "waiting for room in",
                            r.value("heartbeat_at", ""));
  }
}

int RunStatus(Context& ctx, const std::string& batch_id, bool json, bool watch) {
  auto store = OpenStoreForReading(ctx);
  if (store.ok()) {
    auto j = StoredStatus(**store, batch_id,
                          {ctx.config().api.price_per_million_input_tokens,
                           ctx.config().api.price_per_million_output_tokens});
    if (!j.ok()) return Fail(ctx, j.status());
    json ? (*ctx.out << j->dump(2) << "\n", void()) : PrintStored(ctx, *j);
    return kExitOk;
  }
  if (store.status().code() != StatusCode::kLocked) return Fail(ctx, store.status());
  auto run = LiveRun(ctx, store.status());
  if (!run.ok()) return Fail(ctx, run.status());
  if (run->batch_id != batch_id) {
    return Fail(ctx, Status(StatusCode::kLocked,
                            "the database is in use by cnake-charmer-client (PID " +
                                std::to_string(run->pid) + ") running batch " + run->batch_id +
                                "; status of other batches is available when it finishes"));
  }
  for (;;) {
    auto body = control::CallControl(*run, "GET", "/status");
    if (!body.ok()) return watch ? kExitOk : Fail(ctx, body.status());
    auto j = nlohmann::json::parse(*body, nullptr, false);
    if (json) {
      *ctx.out << j.dump(watch ? -1 : 2) << "\n" << std::flush;
    } else if (watch) {
      const auto& counts = j["counts"];
      *ctx.out << "\r\033[K" << j["batch_id"].get<std::string>() << ": "
               << counts[std::string(EntryStateName(EntryState::kCompleted))] << " ok, "
               << counts[std::string(EntryStateName(EntryState::kFailed))] << " failed of "
               << counts["total"] << ", " << j["jobs_in_flight"] << " in flight, "
               << fmt::format("{:.1f}", j.value("entries_per_second", 0.0)) << "/s" << std::flush;
    } else {
      PrintLive(ctx, j);
    }
    if (!watch) return kExitOk;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

int RunCancel(Context& ctx, const std::string& batch_id) {
  auto store = OpenStore(ctx);
  if (store.ok()) {
    engine::BatchLifecycle lifecycle(**store, RealClock(), SystemEntropy());
    auto outcome = lifecycle.Cancel(batch_id);
    if (!outcome.ok()) return Fail(ctx, outcome.status());
    if (*outcome == engine::CancelOutcome::kAlreadyCompleted) {
      *ctx.out << "batch " << batch_id << " already completed; nothing to cancel\n";
      return kExitOk;
    }
    *ctx.out << "batch " << batch_id
             << " marked cancelled; jobs already at the API keep their request_id, so "
                "`resume` collects their results\n";
    if ((*store)->shared()) {
      auto runners = (*store)->LiveRunners(batch_id);
      if (runners.ok() && !runners->empty()) {
        *ctx.out << runners->size()
                 << " runner(s) stop at their next heartbeat (within store.renew_interval)\n";
      }
    }
    return kExitOk;
  }
  if (store.status().code() != StatusCode::kLocked) return Fail(ctx, store.status());
  auto run = LiveRun(ctx, store.status());
  if (!run.ok()) return Fail(ctx, run.status());
  if (run->batch_id != batch_id) {
    return Fail(ctx, InvalidArgument("the running process works on batch " + run->batch_id +
                                     ", not " + batch_id));
  }
  auto r = control::CallControl(*run, "POST", "/cancel");
  if (!r.ok()) return Fail(ctx, r.status());
  *ctx.out << "cancel sent to cnake-charmer-client (PID " << run->pid
           << "); it stops submitting and saves in-flight request_ids\n";
  return kExitOk;
}

}  // namespace

void AddStatusCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("status", "Counts, throughput, latency and errors of a batch");
  auto batch_id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto watch = std::make_shared<bool>(false);
  cmd->add_option("--batch-id", *batch_id, "The batch")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->add_flag("--watch", *watch, "Refresh while the batch runs in another process");
  cmd->footer(
      "Works on finished batches and on a batch that `process` runs right now in another\n"
      "process (through its live status channel, since DuckDB locks the file). With\n"
      "store.url (PostgreSQL) it reads the database and lists the batch's live runners.\n\n"
      "Examples:\n"
      "  cnake-charmer-client status --batch-id b-20261128-101500-3fa2\n"
      "  cnake-charmer-client status --batch-id b-20261128-101500-3fa2 --watch");
  cmd->callback([&run, batch_id, json, watch] {
    run = [=](Context& ctx) { return RunStatus(ctx, *batch_id, *json, *watch); };
  });
}

void AddCancelCommand(CLI::App& app, Action& run) {
  CLI::App* cmd =
      app.add_subcommand("cancel", "Stop a running batch, or mark a stopped one cancelled");
  auto batch_id = std::make_shared<std::string>();
  cmd->add_option("--batch-id", *batch_id, "The batch")->required();
  cmd->footer(
      "In-flight request_ids are kept, so a later `resume` collects their results.\n\n"
      "Examples:\n"
      "  cnake-charmer-client cancel --batch-id b-20261128-101500-3fa2");
  cmd->callback(
      [&run, batch_id] { run = [batch_id](Context& ctx) { return RunCancel(ctx, *batch_id); }; });
}

}  // namespace cnake::cli
