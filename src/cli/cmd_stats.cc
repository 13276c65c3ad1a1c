#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/live.h"
#include "engine/batch_lifecycle.h"
#include "report/token_figures.h"
#include "util/entropy.h"

namespace cnake::cli {
namespace {

// The recent batches as people should see them (a batch recorded running
// that no runner holds is interrupted), in the order of recent_batches.
Result<std::vector<engine::BatchView>> Views(Store& store, const Statistics& s) {
  engine::BatchLifecycle lifecycle(store, RealClock(), SystemEntropy());
  std::vector<engine::BatchView> views;
  for (const BatchRecord& b : s.recent_batches) {
    CNAKE_ASSIGN_OR_RETURN(engine::BatchView v, lifecycle.View(b));
    views.push_back(std::move(v));
  }
  return views;
}

nlohmann::json StatsJson(const Statistics& s, const std::vector<engine::BatchView>& views,
                         const nlohmann::json& tokens) {
  nlohmann::json batches = nlohmann::json::array();
  for (std::size_t i = 0; i < s.recent_batches.size(); ++i) {
    const BatchRecord& b = s.recent_batches[i];
    const engine::BatchView& v = views[i];
    batches.push_back({{"id", b.id},
                       {"status", v.status_text},
                       {"runner_gone", v.runner_gone},
                       {"total_entries", b.total},
                       {"processed_entries", b.processed},
                       {"successful_entries", b.successful},
                       {"failed_entries", b.failed},
                       {"started_at", b.started_at},
                       {"completed_at", b.completed_at.empty() ? nlohmann::json()
                                                               : nlohmann::json(b.completed_at)}});
  }
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [state, n] : s.by_state) by_status[std::string(EntryStateName(state))] = n;
  for (const auto& [state, n] : s.unknown_states) by_status[state] = n;
  return {{"total_entries", s.total_entries},
          {"by_status", by_status},
          {"python_entries", s.python_entries},
          {"processing_errors", s.errors},
          {"batches", s.batches},
          {"tokens", tokens},
          {"recent_batches", batches}};
}

void PrintStats(std::ostream& out, const Statistics& s, const std::vector<engine::BatchView>& views,
                const nlohmann::json& tokens) {
  out << fmt::format("entries: {}\n", s.total_entries);
  for (EntryState state : kAllEntryStates) {
    const std::int64_t n = s.by_state.count(state) ? s.by_state.at(state) : 0;
    double pct = s.total_entries ? 100.0 * n / s.total_entries : 0;
    out << fmt::format("  {:<11} {:>10}  {:5.1f}%\n", EntryStateName(state), n, pct);
  }
  for (const auto& [state, n] : s.unknown_states) {
    out << fmt::format("  {:<11} {:>10}  (unknown state)\n", state, n);
  }
  out << fmt::format("python results: {}\nprocessing errors: {}\nbatches: {}\n", s.python_entries,
                     s.errors, s.batches);
  if (std::string line = report::TokensLine(tokens); !line.empty()) out << line << "\n";
  if (s.recent_batches.empty()) return;
  out << fmt::format("\n{:<26} {:<25} {:>7} {:>7} {:>7} {:>7}  {}\n", "batch", "status", "total",
                     "done", "ok", EntryStateName(EntryState::kFailed), "started");
  for (std::size_t i = 0; i < s.recent_batches.size(); ++i) {
    const BatchRecord& b = s.recent_batches[i];
    out << fmt::format("{:<26} {:<25} {:>7} {:>7} {:>7} {:>7}  {}\n", b.id, views[i].label, b.total,
                       b.processed, b.successful, b.failed, b.started_at);
  }
}

// While a batch runs, the database is locked: show the running batch instead.
int LiveStats(Context& ctx, const Status& locked, bool json) {
  auto run = LiveRun(ctx, locked);
  if (!run.ok()) return Fail(ctx, run.status());
  auto body = control::CallControl(*run, "GET", "/status");
  if (!body.ok()) return Fail(ctx, body.status());
  auto live = nlohmann::json::parse(*body, nullptr, false);
  if (json) {
    *ctx.out << nlohmann::json{{"live_batch", live}}.dump(2) << "\n";
  } else {
    *ctx.err << "the database is in use by cnake-charmer-client (PID " << run->pid
             << "); whole-database statistics are available when it finishes. Its batch:\n";
    PrintLive(ctx, live);
  }
  return kExitOk;
}

}  // namespace

void AddStatsCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("stats", "Counts per processing status, totals, batches");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print JSON for machines");
  cmd->footer(
      "Examples:\n  cnake-charmer-client stats\n  cnake-charmer-client stats --json | jq "
      ".by_status");
  cmd->callback([&run, json] {
    run = [json](Context& ctx) -> int {
      auto store = OpenStoreForReading(ctx);
      if (!store.ok() && store.status().code() == StatusCode::kLocked)
        return LiveStats(ctx, store.status(), *json);
      if (!store.ok()) return Fail(ctx, store.status());
      auto stats = (*store)->queries().GetStatistics();
      if (!stats.ok()) return Fail(ctx, stats.status());
      auto views = Views(**store, *stats);
      if (!views.ok()) return Fail(ctx, views.status());
      auto totals = (*store)->queries().TokenTotals("");
      if (!totals.ok()) return Fail(ctx, totals.status());
      // Over every batch: priced at the configured prices.
      const nlohmann::json tokens =
          report::TokensJson(*totals, {ctx.config().api.price_per_million_input_tokens,
                                       ctx.config().api.price_per_million_output_tokens});
      if (*json) {
        *ctx.out << StatsJson(*stats, *views, tokens).dump(2) << "\n";
      } else {
        PrintStats(*ctx.out, *stats, *views, tokens);
      }
      return kExitOk;
    };
  });
}

}  // namespace cnake::cli
