// Running a claimed batch: shared by `process` and `resume`. Sets up the API
// transport, signal handling, the live status channel and progress output,
// runs the engine, prints the summary and returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/context.h"
#include "engine/batch_lifecycle.h"

namespace cnake::cli {

struct RunFlags {
  std::string progress;  // tty|log|json|none; empty: tty on a terminal, else log
  bool insecure = false;
  bool verbose_http = false;
};

// Options recorded with a batch (batch_jobs.options) and reused by resume.
// Never holds the API key itself, only its fingerprint.
nlohmann::json BatchOptionsJson(const Config& config, const nlohmann::json& selection);

// Checks that a CnakeCharmer API answers at the base URL and takes the key,
// before a batch starts (api/api_probe.h). kNetwork/kAuth/kHttp (all exit
// 4) with a message that says what to do.
Status Preflight(const Context& ctx, const RunFlags& flags);

// Runs the batch's engine with the live channel and progress output, then
// records how the run ended (lifecycle.Finish) and prints the summary.
int RunBatch(Context& ctx, Store& store, engine::BatchLifecycle& lifecycle,
             const std::string& batch_id, const RunFlags& flags);

// Registers --progress, --insecure, --verbose-http on a command.
void AddRunFlags(CLI::App& cmd, RunFlags& flags);

}  // namespace cnake::cli
