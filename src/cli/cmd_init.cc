#include <ostream>

#include "cli/commands.h"

namespace cnake::cli {

void AddInitCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("init", "Create or upgrade the database schema");
  cmd->footer(
      "Examples:\n"
      "  cnake-charmer-client init --db-path data.duckdb\n"
      "  cnake-charmer-client init --db-path theirs.duckdb --table snippets\n\n"
      "Safe on databases made by other tools: adds missing tables and columns, never drops "
      "or rewrites data.");
  cmd->callback([&run] {
    run = [](Context& ctx) -> int {
      auto store = CreateOrOpenStore(ctx);
      if (!store.ok()) return Fail(ctx, store.status());
      const MigrationReport& m = (*store)->migration();
      for (const auto& t : m.created_tables) *ctx.out << "created table " << t << "\n";
      for (const auto& c : m.added_columns) *ctx.out << "added column " << c << "\n";
      *ctx.out << "schema version " << m.schema_version << " ready in " << (*store)->Describe()
               << "\n";
      return kExitOk;
    };
  });
}

}  // namespace cnake::cli
