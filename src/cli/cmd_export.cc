#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"

namespace cnake::cli {
namespace {

namespace fs = std::filesystem;

// The file for `id` under `root`, or nothing when the id would escape it.
std::optional<fs::path> SafeTarget(const fs::path& root, const std::string& id) {
  if (id.empty() || id.find('\0') != std::string::npos) return std::nullopt;
  fs::path rel(id + ".py");
  if (rel.is_absolute() || rel.has_root_name()) return std::nullopt;
  for (const auto& part : rel) {
    if (part == ".." || part == "." || part.empty()) return std::nullopt;
  }
  return root / rel;
}

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

Result<std::int64_t> ExportPyTree(Context& ctx, Store& store, const fs::path& root,
                                  std::int64_t& refused) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return IoError("cannot create " + root.string() + ": " + ec.message());
  std::int64_t n = 0;
  CNAKE_RETURN_IF_ERROR(store.queries().ForEachResult([&](const ResultRow& row) -> Status {
    const std::string& id = row.entry_id;
    auto target = SafeTarget(root, id);
    if (!target) {
      ++refused;
      *ctx.err << "refused id " << nlohmann::json(id).dump() << ": it would escape "
               << root.string() << "\n";
      return Status::Ok();
    }
    fs::create_directories(target->parent_path(), ec);
    std::ofstream f(*target, std::ios::binary | std::ios::trunc);
    f << row.code;
    if (!f) return IoError("cannot write " + target->string());
    ++n;
    return Status::Ok();
  }));
  return n;
}

// The whole database (entries with their states, results, batches, errors)
// into a new DuckDB file.
int ExportDuckDb(Context& ctx, Store& store, const std::string& output) {
  if (fs::exists(output)) {
    return Fail(ctx, InvalidArgument(output + " exists; export --format duckdb writes a new "
                                              "database file (remove it or pick another name)"));
  }
  StoreConfig config;
  config.db_path = output;
  config.tables = store.tables();
  config.memory_limit = ctx.config().duckdb.memory_limit;
  auto target = cnake::OpenStore(config);
  if (!target.ok()) return Fail(ctx, target.status());
  auto totals = CopyStore(store, **target);
  if (!totals.ok()) return Fail(ctx, totals.status());
  *ctx.err << "exported " << totals->entries << " entries, " << totals->results << " results, "
           << totals->batches << " batches, " << totals->errors << " errors, " << totals->requests
           << " logged requests to " << output << "\n";
  return kExitOk;
}

int RunExport(Context& ctx, const std::string& format, const std::string& output) {
  auto store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  if (format == "duckdb") {
    if (output.empty())
      return Fail(ctx, InvalidArgument("--output is required for --format duckdb"));
    return ExportDuckDb(ctx, **store, output);
  }
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
    written = ExportPyTree(ctx, **store, output, refused);
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
  cmd->add_option("--format", *format,
                  "jsonl, parquet, py (a tree of .py files), or duckdb (the whole database)")
      ->check(CLI::IsMember({"jsonl", "parquet", "py", "duckdb"}));
  cmd->add_option("-o,--output", *output,
                  "File (jsonl, parquet) or directory (py); jsonl defaults to stdout");
  cmd->footer(
      "Examples:\n"
      "  cnake-charmer-client export > results.jsonl\n"
      "  cnake-charmer-client export --format parquet -o results.parquet\n"
      "  cnake-charmer-client export --format py -o out/   # out/<entry id>.py\n"
      "  cnake-charmer-client export --format duckdb -o copy.duckdb  # entries, states, results, "
      "batches\n\n"
      "Ids that would escape the target directory (absolute, '..') are refused and reported; "
      "the exit code is then 1.");
  cmd->callback([&run, format, output] {
    run = [format, output](Context& ctx) { return RunExport(ctx, *format, *output); };
  });
}

}  // namespace cnake::cli
