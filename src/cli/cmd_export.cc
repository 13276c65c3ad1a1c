#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/export_tree.h"

namespace cnake::cli {
namespace {

Result<std::int64_t> ExportJsonl(Store& store, std::ostream& out) {
  std::int64_t n = 0;
  CNAKE_RETURN_IF_ERROR(store.queries().ForEachResult([&](const ResultRow& row) {
    nlohmann::json line = {{"id", row.entry_id}, {"python_id", row.python_id}, {"code", row.code}};
    if (row.metadata_json)
      line["metadata"] = nlohmann::json::parse(*row.metadata_json, nullptr, false);
    if (row.description) line["description"] = *row.description;
    out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    ++n;
    return Status::Ok();
  }));
  return n;
}

// Where the files of a tree export stand, when something needs saying.
void PrintTreeNotes(const Context& ctx, const std::string& root, const PyTreeExport& tree) {
  if (tree.stale == 0) return;
  *ctx.err << "note: " << tree.stale << " file(s) under " << root
           << " were not written by this export (left by an earlier export whose results are "
              "gone, or added by hand): "
           << fmt::format("{}", fmt::join(tree.stale_examples, ", "))
           << (tree.stale > static_cast<std::int64_t>(tree.stale_examples.size()) ? ", ..." : "")
           << "\n";
}

int RunExport(Context& ctx, const std::string& format, const std::string& output, bool force) {
  auto store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  std::int64_t refused = 0;
  Result<std::int64_t> written = std::int64_t{0};
  if (format == "jsonl") {
    if (output.empty() || output == "-") {
      written = ExportJsonl(**store, *ctx.out);
    } else {
      std::ofstream f(output, std::ios::binary | std::ios::trunc);
      if (!f) return Fail(ctx, IoError("cannot write " + output));
      written = ExportJsonl(**store, f);
    }
  } else if (output.empty()) {
    return Fail(ctx, InvalidArgument("--output is required for --format " + format));
  } else if (format == "parquet") {
    written = (*store)->queries().ExportParquet(output);
  } else {
    auto tree = ExportPyTree(**store, output, force, *ctx.err);
    if (!tree.ok()) return Fail(ctx, tree.status());
    written = tree->written;
    refused = tree->refused;
    PrintTreeNotes(ctx, output, *tree);
  }
  if (!written.ok()) return Fail(ctx, written.status());
  *ctx.err << "exported " << *written << " results" << (refused ? ", refused " : "")
           << (refused ? std::to_string(refused) : "") << "\n";
  return refused ? kExitEntriesFailed : kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("export", "Write the generated Python out");
  auto format = std::make_shared<std::string>("jsonl");
  auto output = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("--format", *format, "jsonl, parquet, or py (a tree of .py files)")
      ->check(CLI::IsMember({"jsonl", "parquet", "py"}));
  cmd->add_option("-o,--output", *output,
                  "File (jsonl, parquet) or directory (py); jsonl defaults to stdout");
  cmd->add_flag("--force", *force,
                "py: write into a non-empty directory that an earlier export did not make");
  cmd->footer(
      "Examples:\n"
      "  cnake-charmer-client export > results.jsonl\n"
      "  cnake-charmer-client export --format parquet -o results.parquet\n"
      "  cnake-charmer-client export --format py -o out/   # out/<entry id>.py\n\n"
      "Ids that would escape the target directory (absolute, '..') are refused and reported; "
      "the exit code is then 1.\n"
      "py: the directory gets a .cnake-export marker. A non-empty directory without one holds "
      "someone else's files: export refuses it (exit 2, naming what would be overwritten) "
      "unless --force. Files there that this export did not write are listed, never deleted.");
  cmd->callback([&run, format, output, force] {
    run = [format, output, force](Context& ctx) {
      return RunExport(ctx, *format, *output, *force);
    };
  });
}

}  // namespace cnake::cli
