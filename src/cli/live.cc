#include "cli/live.h"

#include <fmt/format.h>

#include <ostream>

#include "report/token_figures.h"
#include "store/lock_holder.h"

namespace cnake::cli {

Result<control::RunFile> LiveRun(const Context& ctx, const Status& locked) {
  const std::string& db = ctx.config().duckdb.db_path;
  auto holder = LockHolderOf(locked);
  auto run = control::ReadRunFile(control::RunFilePath(db));
  if (!holder || !run.ok() || run->pid != holder->pid) {
    return Status(StatusCode::kLocked, LockedMessage(db, locked));
  }
  return run;
}

void PrintLive(const Context& ctx, const nlohmann::json& j) {
  const auto& c = j["counts"];
  *ctx.out << fmt::format("batch {} (live, {})\n", j.value("batch_id", ""), j.value("state", ""));
  for (EntryState state : kAllEntryStates) {
    const std::string name(EntryStateName(state));
    *ctx.out << fmt::format("  {:<11} {:>8}\n", name, c.value(name, 0));
  }
  *ctx.out << fmt::format(
      "throughput {:.2f} entries/s, ETA {:.0f}s, {} jobs in flight, {:.0f} rpm, breaker {}\n",
      j.value("entries_per_second", 0.0), j.value("eta_seconds", -1.0),
      j.value("jobs_in_flight", 0), j.value("current_rpm", 0.0), j.value("breaker", ""));
  const auto& l = j["latency_ms"];
  *ctx.out << fmt::format("API latency p50 {} ms, p90 {} ms, p99 {} ms\n", l.value("p50", 0.0),
                          l.value("p90", 0.0), l.value("p99", 0.0));
  if (std::string tokens = report::TokensLine(j.value("tokens", nlohmann::json()));
      !tokens.empty()) {
    *ctx.out << tokens << "\n";
  }
  for (const auto& e : j["recent_errors"]) *ctx.out << "  error: " << e.get<std::string>() << "\n";
}

}  // namespace cnake::cli
