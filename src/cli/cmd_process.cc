#include <fmt/format.h>

#include <ostream>

#include "cli/batch_run.h"
#include "cli/commands.h"
#include "engine/batch_lifecycle.h"
#include "util/entropy.h"

namespace cnake::cli {
namespace {

struct ProcessArgs {
  std::int64_t limit = 0;
  std::string tag, id_prefix;
  bool retry_failed = false, dry_run = false;
  RunFlags run;
};

int RunProcess(Context& ctx, const ProcessArgs& a) {
  auto store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  ClaimOptions claim;
  claim.limit = ctx.config().processing.batch_size;
  if (a.limit > 0) claim.limit = std::min(claim.limit, a.limit);
  claim.filter = {a.tag, a.id_prefix};
  claim.retry_failed = a.retry_failed;
  if (a.dry_run) {
    auto r = (*store)->PreviewClaim(claim);
    if (!r.ok()) return Fail(ctx, r.status());
    *ctx.out << "dry run: would claim " << r->count << " entries";
    for (const auto& id : r->sample_ids)
      *ctx.out << (id == r->sample_ids.front() ? ": " : ", ") << id;
    *ctx.out << (r->count > static_cast<std::int64_t>(r->sample_ids.size()) ? ", ..." : "")
             << "\nno batch was created and no request was sent\n";
    return kExitOk;
  }
  if (Status st = Preflight(ctx, a.run); !st.ok()) return Fail(ctx, st);
  nlohmann::json selection = {{"batch_size", ctx.config().processing.batch_size},
                              {"limit", a.limit},
                              {"tag", a.tag},
                              {"id_prefix", a.id_prefix},
                              {"retry_failed", a.retry_failed}};
  // A claim of a million entries takes seconds; say what is happening.
  if (!ctx.quiet) *ctx.err << "claiming up to " << claim.limit << " pending entries\n";
  engine::BatchLifecycle lifecycle(**store, RealClock(), SystemEntropy());
  auto batch = lifecycle.Claim(BatchOptionsJson(ctx.config(), selection), claim);
  if (!batch.ok()) return Fail(ctx, batch.status());
  if (batch->claimed == 0) {
    *ctx.out << "nothing to process: no pending entries match (batch " << batch->id << ")\n";
    return kExitOk;
  }
  if (!ctx.quiet) {
    *ctx.err << "batch " << batch->id << ": " << batch->claimed << " entries, up to "
             << ctx.config().processing.max_concurrent << " in flight, "
             << ctx.config().processing.rate_limit.requests_per_minute << " requests/min\n";
  }
  return RunBatch(ctx, **store, lifecycle, batch->id, a.run);
}

// The config keys a batch remembers, with their stored option names.
struct Remembered {
  const char* key;
  const char* option;
  nlohmann::json (*get)(const Config&);
  void (*set)(Config&, const nlohmann::json&);
};
const Remembered kRemembered[] = {
    {"processing.max_concurrent", "max_concurrent",
     [](const Config& c) -> nlohmann::json { return c.processing.max_concurrent; },
     [](Config& c, const nlohmann::json& v) { c.processing.max_concurrent = v.get<int>(); }},
    {"processing.rate_limit.requests_per_minute", "requests_per_minute",
     [](const Config& c) -> nlohmann::json { return c.processing.rate_limit.requests_per_minute; },
     [](Config& c, const nlohmann::json& v) {
       c.processing.rate_limit.requests_per_minute = v.get<double>();
     }},
    {"processing.rate_limit.burst", "burst",
     [](const Config& c) -> nlohmann::json { return c.processing.rate_limit.burst; },
     [](Config& c, const nlohmann::json& v) { c.processing.rate_limit.burst = v.get<int>(); }},
    {"api.max_retries", "max_retries",
     [](const Config& c) -> nlohmann::json { return c.api.max_retries; },
     [](Config& c, const nlohmann::json& v) { c.api.max_retries = v.get<int>(); }},
    {"api.retry_delay", "retry_delay",
     [](const Config& c) -> nlohmann::json { return c.api.retry_delay; },
     [](Config& c, const nlohmann::json& v) { c.api.retry_delay = v.get<double>(); }},
    {"processing.job_timeout", "job_timeout",
     [](const Config& c) -> nlohmann::json { return c.processing.job_timeout; },
     [](Config& c, const nlohmann::json& v) { c.processing.job_timeout = v.get<double>(); }},
    {"api.base_url", "base_url", [](const Config& c) -> nlohmann::json { return c.api.base_url; },
     [](Config& c, const nlohmann::json& v) { c.api.base_url = v.get<std::string>(); }},
    // A batch keeps the API it started with: its entries' attempts and
    // request ids belong to that protocol.
    {"api.protocol", "protocol", [](const Config& c) -> nlohmann::json { return c.api.protocol; },
     [](Config& c, const nlohmann::json& v) { c.api.protocol = v.get<std::string>(); }},
    {"api.model", "model", [](const Config& c) -> nlohmann::json { return c.api.model; },
     [](Config& c, const nlohmann::json& v) { c.api.model = v.get<std::string>(); }},
    {"processing.rate_limit.tokens_per_minute", "tokens_per_minute",
     [](const Config& c) -> nlohmann::json { return c.processing.rate_limit.tokens_per_minute; },
     [](Config& c, const nlohmann::json& v) {
       c.processing.rate_limit.tokens_per_minute = v.get<double>();
     }},
};

// Applies the batch's stored options where the user gave no flag for them,
// and prints what differs from what the batch was started with.
void ApplyStoredOptions(Context& ctx, const nlohmann::json& stored) {
  Config& c = ctx.loaded.config;
  for (const Remembered& r : kRemembered) {
    if (!stored.contains(r.option)) continue;
    const nlohmann::json& was = stored[r.option];
    const nlohmann::json now = r.get(c);
    if (now == was) continue;
    const std::string& source = ctx.loaded.source[r.key];
    if (source.rfind("flag", 0) == 0) {
      *ctx.err << "resume: " << r.key << " = " << now.dump() << " (" << source
               << "; the batch started with " << was.dump() << ")\n";
      continue;
    }
    try {
      r.set(c, was);
      *ctx.err << "resume: " << r.key << " = " << was.dump() << " (stored with the batch; "
               << source << " says " << now.dump() << ")\n";
    } catch (const nlohmann::json::exception&) {
      *ctx.err << "resume: ignoring unreadable stored " << r.option << "\n";
    }
  }
  if (stored.value("api_key_fingerprint", "") != c.api.api_key.Fingerprint()) {
    *ctx.err << "resume: note: the API key differs from the one the batch started with\n";
  }
}

int RunResume(Context& ctx, const std::string& batch_id, const RunFlags& flags) {
  auto store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  auto stored = (*store)->GetBatchOptions(batch_id);
  if (!stored.ok()) return Fail(ctx, stored.status());
  if (!*stored) return Fail(ctx, NotFound("no batch " + batch_id + "; `stats` lists the batches"));
  // Batches from before api.protocol existed spoke the CnakeCharmer contract.
  if (!(*stored)->contains("protocol")) (**stored)["protocol"] = "cnakecharmer";
  ApplyStoredOptions(ctx, **stored);
  // The API must answer before the batch is marked running again.
  auto counts = (*store)->CountBatch(batch_id);
  if (!counts.ok()) return Fail(ctx, counts.status());
  if (counts->total > counts->finished()) {
    if (Status st = Preflight(ctx, flags); !st.ok()) return Fail(ctx, st);
  }
  engine::BatchLifecycle lifecycle(**store, RealClock(), SystemEntropy());
  auto check = lifecycle.Resume(batch_id);
  if (!check.ok()) return Fail(ctx, check.status());
  const BatchCounts& c = check->counts;
  switch (check->state) {
    case engine::ResumeState::kNoEntries:
      *ctx.out << "batch " << batch_id << " owns no entries, so there is nothing to resume; "
               << "`process` claims a new batch\n";
      return kExitOk;
    case engine::ResumeState::kFinished:
      *ctx.out << "batch " << batch_id << " has nothing left to do (" << c.completed
               << " completed, " << c.failed << " failed)\n";
      return c.failed > 0 ? kExitEntriesFailed : kExitOk;
    case engine::ResumeState::kRunnable:
      break;
  }
  if (!ctx.quiet) {
    *ctx.err << fmt::format("resuming batch {}: {} left ({} with a job at the API)\n", batch_id,
                            c.total - c.finished(), c.submitted + c.processing);
  }
  return RunBatch(ctx, **store, lifecycle, batch_id, flags);
}

}  // namespace

void AddProcessCommand(CLI::App& app, Action& run) {
  CLI::App* cmd =
      app.add_subcommand("process", "Claim pending entries as a batch and process them");
  auto a = std::make_shared<ProcessArgs>();
  cmd->add_option("--limit", a->limit, "Claim at most K entries (caps --batch-size)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tag", a->tag, "Only entries with this tag");
  cmd->add_option("--id-prefix", a->id_prefix, "Only entries whose id starts with this");
  cmd->add_flag("--retry-failed", a->retry_failed, "Also claim failed entries (as new jobs)");
  cmd->add_flag("--dry-run", a->dry_run, "Show what would be claimed; send nothing");
  AddRunFlags(*cmd, a->run);
  cmd->footer(
      "Options from the configuration also apply here: --batch-size N, --max-concurrent C,\n"
      "--rpm R, --job-timeout S, --db-path P, --base-url U.\n\n"
      "Examples:\n"
      "  cnake-charmer-client process --batch-size 100 --db-path data.duckdb\n"
      "  cnake-charmer-client process --batch-size 1000 --max-concurrent 32 --rpm 600 --tag math\n"
      "  cnake-charmer-client process --dry-run --id-prefix numeric/\n\n"
      "Exit codes: 0 all completed, 1 some failed, 4 API unreachable or key rejected,\n"
      "130 interrupted (resume with `resume --batch-id B`).");
  cmd->callback([&run, a] { run = [a](Context& ctx) { return RunProcess(ctx, *a); }; });
}

void AddResumeCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("resume", "Continue a batch that stopped for any reason");
  auto batch_id = std::make_shared<std::string>();
  auto flags = std::make_shared<RunFlags>();
  cmd->add_option("--batch-id", *batch_id, "The batch to continue")->required();
  AddRunFlags(*cmd, *flags);
  cmd->footer(
      "Entries with a stored request_id are polled, never submitted again; claimed entries not\n"
      "yet submitted are submitted; finished entries are untouched. The batch's stored options\n"
      "apply unless a flag overrides them; what differs is printed.\n\n"
      "Examples:\n"
      "  cnake-charmer-client resume --batch-id b-20261128-101500-3fa2\n"
      "  cnake-charmer-client resume --batch-id b-20261128-101500-3fa2 --max-concurrent 4");
  cmd->callback([&run, batch_id, flags] {
    run = [batch_id, flags](Context& ctx) { return RunResume(ctx, *batch_id, *flags); };
  });
}

}  // namespace cnake::cli
