#include "cli/app.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "api/curl_support.h"
#include "cli/allocator.h"
#include "cli/commands.h"
#include "cli/logging.h"
#include "cli/usage_errors.h"
#include "config/key_table.h"
#include "store/duckdb/duckdb.h"

namespace cnake::cli {
namespace {

constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success, 1 finished with failed entries, 2 usage or config error, "
    "3 database error, 4 API unreachable or authentication failed, 130 interrupted.\n"
    "The API key comes from CNAKE_API_KEY, the config file or api.api_key_file; never from a "
    "flag.";

// --version: what a bug report needs.
std::string VersionText() {
  return fmt::format("cnake-charmer-client {}\nDuckDB {}\nlibcurl {}\nallocator {}", CNAKE_VERSION,
                     db::LibraryVersion(), api::LibcurlVersion(), AllocatorName());
}

// A refused command line: our explanation where we have one (unknown
// options and commands, and never a secret's value), else CLI11's.
int UsageError(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv,
               std::ostream& out, std::ostream& err) {
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  if (auto explained = ExplainUsageError(app, args)) {
    err << "error: " << *explained << "\nRun with --help for more information.\n";
    return kExitUsage;
  }
  return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
}

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
  app.set_version_flag("--version", VersionText,
                       "Print the versions of this client, DuckDB and "
                       "libcurl, and exit");
  // Every key with a flag (docs/config.md) is a global flag; with fallthrough
  // it may also follow the subcommand.
  std::map<std::string, std::string> flag_values;
  std::vector<std::pair<CLI::Option*, const KeyDescriptor*>> flag_options;
  for (const KeyDescriptor& key : KeyTable()) {
    if (key.flag.empty()) continue;
    flag_options.emplace_back(app.add_option(key.flag, flag_values[key.path], key.description),
                              &key);
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
    if (e.get_exit_code() == 0) return app.exit(e, out, err), kExitOk;  // --help, --version
    return UsageError(app, e, argc, argv, out, err);
  }

  ConfigInputs inputs;
  if (!config_path.empty()) inputs.config_path = config_path;
  inputs.env = env;
  for (auto& [opt, key] : flag_options) {
    if (opt->count() > 0) inputs.flags[key->path] = flag_values[key->path];
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
