#include <fmt/format.h>

#include <ostream>

#include "cli/batch_run.h"
#include "cli/commands.h"
#include "cli/stranded.h"
#include "engine/batch_lifecycle.h"
#include "util/entropy.h"

namespace cnake::cli {
namespace {

struct ProcessArgs {
  std::int64_t limit = 0;
  std::string tag, id_prefix;
  std::string join;  // add a runner to this batch instead of claiming one
  bool retry_failed = false, dry_run = false, adopt_stranded = false;
  RunFlags run;
};

int RunResume(Context& ctx, const std::string& batch_id, const RunFlags& flags, bool join);

int DryRun(Context& ctx, Store& store, const ClaimOptions& claim,
           const std::vector<engine::StoppedBatch>& stopped, bool adopt) {
  // Adopted entries come first (Store::ClaimNewBatch), then new ones.
  const std::int64_t adopting = adopt ? std::min(claim.limit, StrandedEntries(stopped)) : 0;
  ClaimOptions fresh = claim;
  fresh.limit = claim.limit - adopting;
  auto r = store.PreviewClaim(fresh);
  if (!r.ok()) return Fail(ctx, r.status());
  *ctx.out << "dry run: ";
  if (adopt) *ctx.out << "would adopt " << adopting << " unfinished entries of stopped batches, ";
  *ctx.out << "would claim " << r->count << " entries";
  for (const auto& id : r->sample_ids)
    *ctx.out << (id == r->sample_ids.front() ? ": " : ", ") << id;
  *ctx.out << (r->count > static_cast<std::int64_t>(r->sample_ids.size()) ? ", ..." : "")
           << "\nno batch was created and no request was sent\n";
  if (!adopt) PrintStranded(*ctx.out, stopped);
  return kExitOk;
}

int RunProcess(Context& ctx, const ProcessArgs& a) {
  if (!a.join.empty()) return RunResume(ctx, a.join, a.run, /*join=*/true);
  auto store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  ClaimOptions claim;
  claim.limit = ctx.config().processing.batch_size;
  if (a.limit > 0) claim.limit = std::min(claim.limit, a.limit);
  claim.filter = {a.tag, a.id_prefix};
  claim.retry_failed = a.retry_failed;
  engine::BatchLifecycle lifecycle(**store, RealClock(), SystemEntropy());
  // Entries stopped batches hold are not claimed: say where they are.
  auto stopped = lifecycle.Stopped(claim.filter);
  if (!stopped.ok()) return Fail(ctx, stopped.status());
  if (a.dry_run) return DryRun(ctx, **store, claim, *stopped, a.adopt_stranded);
  if (Status st = Preflight(ctx, a.run); !st.ok()) return Fail(ctx, st);
  nlohmann::json selection = {{"batch_size", ctx.config().processing.batch_size},
                              {"limit", a.limit},
                              {"tag", a.tag},
                              {"id_prefix", a.id_prefix},
                              {"retry_failed", a.retry_failed},
                              {"adopt_stranded", a.adopt_stranded}};
  // A claim of a million entries takes seconds; say what is happening.
  if (!ctx.quiet) *ctx.err << "claiming up to " << claim.limit << " pending entries\n";
  auto batch = lifecycle.Claim(BatchOptionsJson(ctx.config(), selection), claim, a.adopt_stranded);
  if (!batch.ok()) return Fail(ctx, batch.status());
  if (batch->claimed == 0) {
    auto why = NothingToProcessReason(**store, claim, *stopped);
    if (!why.ok()) return Fail(ctx, why.status());
    *ctx.out << "nothing to process: " << *why << "; no batch was created\n";
    PrintStranded(*ctx.out, *stopped);
    return kExitOk;
  }
  if (!ctx.quiet) {
    if (batch->adopted > 0) {
      *ctx.err << "adopted " << batch->adopted
               << " unfinished entries of stopped batches (jobs already at the API are polled, "
                  "not posted again)\n";
    } else if (!stopped->empty()) {
      *ctx.err << "note: ";
      PrintStranded(*ctx.err, *stopped);
    }
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

// `resume --all`: every stopped batch with unfinished entries, oldest first,
// one after another, each with its own stored options. Stops at the first
// run that was interrupted or hit an API or database error.
int RunResumeAll(Context& ctx, const RunFlags& flags) {
  std::vector<std::string> ids;
  {
    auto store = OpenStore(ctx);
    if (!store.ok()) return Fail(ctx, store.status());
    engine::BatchLifecycle lifecycle(**store, RealClock(), SystemEntropy());
    auto stopped = lifecycle.Stopped({});
    if (!stopped.ok()) return Fail(ctx, stopped.status());
    for (const engine::StoppedBatch& b : *stopped) ids.push_back(b.work.batch.id);
  }  // each resume opens the database itself
  if (ids.empty()) {
    *ctx.out << "nothing to resume: no stopped batch has unfinished entries\n";
    return kExitOk;
  }
  *ctx.err << fmt::format("resume --all: {} stopped batch(es), oldest first: {}\n", ids.size(),
                          fmt::join(ids, ", "));
  const LoadedConfig given = ctx.loaded;  // each batch applies its own stored options
  int result = kExitOk;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ctx.loaded = given;
    *ctx.err << fmt::format("resume --all: batch {} ({} of {})\n", ids[i], i + 1, ids.size());
    const int rc = RunResume(ctx, ids[i], flags, /*join=*/false);
    if (rc == kExitOk) continue;
    if (rc == kExitEntriesFailed) {
      result = rc;
      continue;
    }
    if (i + 1 < ids.size()) {
      *ctx.err << fmt::format(
          "resume --all: stopped at batch {}; not resumed: {}\n", ids[i],
          fmt::join(ids.begin() + static_cast<std::ptrdiff_t>(i) + 1, ids.end(), ", "));
    }
    return rc;
  }
  return result;
}

// `resume`, and `process --join` (join: a shared store only, and never a
// cancelled batch: cancel stops every runner, `resume` starts it again).
int RunResume(Context& ctx, const std::string& batch_id, const RunFlags& flags, bool join) {
  // Checked before opening: a DuckDB file that does not exist would
  // otherwise hide what is wrong with the command.
  if (join && !IsPostgresUrl(ctx.config().store.url)) {
    return Fail(
        ctx, InvalidArgument("--join needs a database several processes share: set store.url to a "
                             "PostgreSQL database (docs/scale-out.md). A DuckDB file admits one "
                             "process; `resume --batch-id " +
                             batch_id + "` continues a batch there"));
  }
  auto store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  if (join) {
    auto batch = (*store)->GetBatch(batch_id);
    if (!batch.ok()) return Fail(ctx, batch.status());
    if (*batch && (*batch)->status == BatchStatus::kCancelled) {
      return Fail(ctx, InvalidArgument("batch " + batch_id + " was cancelled; `resume --batch-id " +
                                       batch_id + "` runs it again"));
    }
  }
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
    *ctx.err << fmt::format("{} batch {}: {} left ({} with a job at the API)\n",
                            join ? "joining" : "resuming", batch_id, c.total - c.finished(),
                            c.submitted + c.processing);
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
  cmd->add_flag("--adopt-stranded", a->adopt_stranded,
                "First take the unfinished entries of stopped batches (interrupted, cancelled, "
                "failed, or whose runner is gone) into the new batch");
  cmd->add_option("--join", a->join,
                  "Add this process as a runner to a batch others run (store.url: PostgreSQL)")
      ->excludes("--limit", "--tag", "--id-prefix", "--retry-failed", "--dry-run",
                 "--adopt-stranded");
  AddRunFlags(*cmd, a->run);
  cmd->footer(
      "Options from the configuration also apply here: --batch-size N, --max-concurrent C,\n"
      "--rpm R, --job-timeout S, --db-path P, --base-url U.\n\n"
      "Examples:\n"
      "  cnake-charmer-client process --batch-size 100 --db-path data.duckdb\n"
      "  cnake-charmer-client process --batch-size 1000 --max-concurrent 32 --rpm 600 --tag math\n"
      "  cnake-charmer-client process --dry-run --id-prefix numeric/\n"
      "  CNAKE_STORE_URL=postgresql://cnake@db/queue cnake-charmer-client process --join B\n"
      "  cnake-charmer-client process --adopt-stranded\n\n"
      "Entries of a batch that stopped (Ctrl-C, kill, an API or database error) stay with it:\n"
      "`process` lists them with the `resume` command for each batch. --adopt-stranded takes\n"
      "them into the new batch instead; those with a job at the API are polled, not posted\n"
      "again, and the rest keep their Idempotency-Key. A claim that finds nothing creates no\n"
      "batch and says why.\n\n"
      "Exit codes: 0 all completed, 1 some failed, 4 API unreachable or key rejected,\n"
      "130 interrupted (resume with `resume --batch-id B`).");
  cmd->callback([&run, a] { run = [a](Context& ctx) { return RunProcess(ctx, *a); }; });
}

void AddResumeCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("resume", "Continue a batch that stopped for any reason");
  auto batch_id = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto flags = std::make_shared<RunFlags>();
  CLI::Option* one = cmd->add_option("--batch-id", *batch_id, "The batch to continue");
  cmd->add_flag("--all", *all,
                "Every stopped batch with unfinished entries, oldest first, one after another")
      ->excludes(one);
  AddRunFlags(*cmd, *flags);
  cmd->footer(
      "Entries with a stored request_id are polled, never submitted again; claimed entries not\n"
      "yet submitted are submitted; finished entries are untouched. The batch's stored options\n"
      "apply unless a flag overrides them; what differs is printed.\n\n"
      "Examples:\n"
      "  cnake-charmer-client resume --batch-id b-20261128-101500-3fa2\n"
      "  cnake-charmer-client resume --batch-id b-20261128-101500-3fa2 --max-concurrent 4\n"
      "  cnake-charmer-client resume --all\n\n"
      "--all stops at the first batch that is interrupted or hits an API or database error\n"
      "(its exit code); otherwise it exits 1 when any batch had failed entries.");
  cmd->callback([&run, batch_id, all, flags] {
    run = [batch_id, all, flags](Context& ctx) {
      if (*all) return RunResumeAll(ctx, *flags);
      if (batch_id->empty()) {
        return Fail(ctx, InvalidArgument("resume needs --batch-id B (one batch) or --all (every "
                                         "stopped batch); `stats` lists the batches"));
      }
      return RunResume(ctx, *batch_id, *flags, /*join=*/false);
    };
  });
}

}  // namespace cnake::cli
