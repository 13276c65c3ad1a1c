#include "cli/app.h"

#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/logging.h"

namespace cnake::cli {
namespace {

// Global flags and the configuration key each one sets.
struct FlagKey {
  const char* flag;
  const char* key;
  const char* help;
};
constexpr FlagKey kGlobalFlags[] = {
    {"--db-path", "duckdb.db_path", "DuckDB database file"},
    {"--table", "duckdb.table_name", "Entries table (default cython_entries)"},
    {"--result-table", "duckdb.result_table", "Results table (default python_entries)"},
    {"--base-url", "api.base_url", "CnakeCharmer API base URL"},
    {"--ca-file", "api.ca_file", "PEM file of CA certificates to trust (a private CA)"},
    {"--log-level", "logging.level", "trace, debug, info, warn, error, critical, off"},
    {"--log-file", "logging.file", "Also log to this file (rotated)"},
    {"--log-format", "logging.format", "text or json"},
    {"--batch-size", "processing.batch_size", "Entries claimed per batch"},
    {"--max-concurrent", "processing.max_concurrent", "Jobs in flight at most"},
    {"--rpm", "processing.rate_limit.requests_per_minute", "API requests per minute at most"},
    {"--job-timeout", "processing.job_timeout", "Seconds a job may take before it fails"},
};

constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success, 1 finished with failed entries, 2 usage or config error, "
    "3 database error, 4 API unreachable or authentication failed, 130 interrupted.\n"
    "The API key comes from CNAKE_API_KEY, the config file or api.api_key_file; never from a "
    "flag.";

}  // namespace

int RunCli(int argc, char** argv, const std::map<std::string, std::string>& env, std::ostream& out,
           std::ostream& err, SignalWatcher* signals) {
  CLI::App app{
      "cnake-charmer-client: turn Cython entries in DuckDB into Python through the "
      "CnakeCharmer API"};
  app.name("cnake-charmer-client");
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(kExitCodesHelp);
  std::string config_path;
  bool quiet = false;
  app.add_option("-c,--config", config_path, "Config file (.json, .toml, .yaml)");
  app.add_flag("-q,--quiet", quiet, "Print only results and errors");
  std::map<std::string, std::string> flag_values;
  std::vector<std::pair<CLI::Option*, const FlagKey*>> flag_options;
  for (const FlagKey& f : kGlobalFlags) {
    flag_options.emplace_back(app.add_option(f.flag, flag_values[f.key], f.help), &f);
  }

  Action run;
  AddProcessCommand(app, run);
  AddStatusCommand(app, run);
  AddResumeCommand(app, run);
  AddCancelCommand(app, run);
  AddInitCommand(app, run);
  AddImportCommand(app, run);
  AddExportCommand(app, run);
  AddStatsCommand(app, run);
  AddReportCommand(app, run);
  AddConfigCommand(app, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;  // --help exits 0
  }

  ConfigInputs inputs;
  if (!config_path.empty()) inputs.config_path = config_path;
  inputs.env = env;
  for (auto& [opt, f] : flag_options) {
    if (opt->count() > 0) inputs.flags[f->key] = flag_values[f->key];
  }
  auto loaded = LoadConfig(inputs);
  if (!loaded.ok()) {
    err << "error: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  Context ctx{std::move(loaded).value(), &out, &err, quiet, signals};
  for (const std::string& w : ctx.loaded.warnings) err << "warning: " << w << "\n";
  Status log_status = SetUpLogging(ctx.config().logging);
  if (!log_status.ok()) return Fail(ctx, log_status);
  return run ? run(ctx) : kExitUsage;
}

}  // namespace cnake::cli
