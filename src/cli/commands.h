// One function per subcommand. Each registers its options on `app` and sets
// `run` to the action; actions return a process exit code (util/exit_codes.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/context.h"

namespace cnake::cli {

using Action = std::function<int(Context&)>;

void AddInitCommand(CLI::App& app, Action& run);
void AddImportCommand(CLI::App& app, Action& run);
void AddExportCommand(CLI::App& app, Action& run);
void AddStatsCommand(CLI::App& app, Action& run);
void AddConfigCommand(CLI::App& app, Action& run);
void AddProcessCommand(CLI::App& app, Action& run);
void AddResumeCommand(CLI::App& app, Action& run);
void AddStatusCommand(CLI::App& app, Action& run);
void AddCancelCommand(CLI::App& app, Action& run);
void AddReportCommand(CLI::App& app, Action& run);

}  // namespace cnake::cli
