#include <ostream>

#include "cli/commands.h"

namespace cnake::cli {

void AddConfigCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("config", "Inspect the configuration");
  cmd->require_subcommand(1);
  CLI::App* show = cmd->add_subcommand("show", "Print the effective configuration and its sources");
  show->footer(
      "Examples:\n"
      "  cnake-charmer-client config show\n"
      "  CNAKE_PROCESSING_MAX_CONCURRENT=8 cnake-charmer-client --config my.toml config show\n\n"
      "Precedence: flags > environment (CNAKE_<SECTION>_<KEY>) > config file > defaults. "
      "The API key is shown as *** with a short fingerprint.");
  show->callback([&run] {
    run = [](Context& ctx) -> int {
      *ctx.out << RenderEffectiveConfig(ctx.loaded);
      return kExitOk;
    };
  });
}

}  // namespace cnake::cli
