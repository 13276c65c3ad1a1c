#include <filesystem>
#include <ostream>

#include "cli/commands.h"
#include "importer/importer.h"

namespace cnake::cli {
namespace {

constexpr std::size_t kImportChunk = 1000;

struct ImportTotals {
  UpsertCounts counts;
  std::int64_t skipped = 0;
};

Status FlushChunk(Store& store, std::vector<EntryInput>& chunk, ImportTotals& totals) {
  if (chunk.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(UpsertCounts c, store.UpsertEntries(chunk));
  chunk.clear();
  totals.counts.inserted += c.inserted;
  totals.counts.updated += c.updated;
  totals.counts.unchanged += c.unchanged;
  for (auto& id : c.updated_ids) {
    if (totals.counts.updated_ids.size() < UpsertCounts::kMaxListedIds) {
      totals.counts.updated_ids.push_back(std::move(id));
    }
  }
  return Status::Ok();
}

int RunImport(Context& ctx, const std::string& path, std::uintmax_t max_file_bytes) {
  auto store = CreateOrOpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  ImportOptions options;
  options.max_file_bytes = max_file_bytes;
  ImportTotals totals;
  std::vector<EntryInput> chunk;
  Status st = ReadImportSource(
      path, options,
      [&](ImportRecord&& r) -> Status {
        chunk.push_back({std::move(r.id), std::move(r.code), std::move(r.description),
                         std::move(r.tags), std::move(r.metadata)});
        return chunk.size() >= kImportChunk ? FlushChunk(**store, chunk, totals) : Status::Ok();
      },
      [&](ImportSkip&& s) -> Status {
        ++totals.skipped;
        *ctx.err << "skipped " << s.origin << ": " << s.reason << "\n";
        return Status::Ok();
      });
  if (st.ok()) st = FlushChunk(**store, chunk, totals);
  if (!st.ok()) return Fail(ctx, st);
  const UpsertCounts& c = totals.counts;
  if (c.updated > 0) {
    *ctx.err << "updated " << c.updated << " entries whose code changed; they are pending again:";
    for (const auto& id : c.updated_ids) *ctx.err << " " << id;
    if (c.updated > static_cast<std::int64_t>(c.updated_ids.size())) *ctx.err << " ...";
    *ctx.err << "\n";
  }
  *ctx.out << "inserted " << c.inserted << ", updated " << c.updated << ", unchanged "
           << c.unchanged << ", skipped " << totals.skipped << "\n";
  if (c.inserted + c.updated + c.unchanged + totals.skipped == 0) {
    *ctx.err << "warning: found nothing to import in " << path
             << (std::filesystem::is_directory(path)
                     ? ": no .pyx or .pxd file in it or below it"
                     : ": the file holds no entry (one JSON object per line)")
             << "\n";
  }
  // Skipped files are data the user meant to import: say so in the exit code.
  return totals.skipped > 0 ? kExitEntriesFailed : kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("import", "Load Cython sources into the entries table");
  auto path = std::make_shared<std::string>();
  auto max_size = std::make_shared<std::uintmax_t>(ImportOptions{}.max_file_bytes);
  cmd->add_option("source", *path, "A directory of .pyx/.pxd files, a .jsonl file, or one .pyx")
      ->required();
  cmd->add_option("--max-file-size", *max_size, "Skip files (and JSONL lines) over this many bytes")
      ->check(CLI::PositiveNumber);
  cmd->footer(
      "Examples:\n"
      "  cnake-charmer-client import samples/cython --db-path data.duckdb\n"
      "  cnake-charmer-client import snippets.jsonl\n\n"
      "Directory: id = path relative to it without extension; description = first line of the "
      "module docstring; tags from a 'Keywords:' docstring line.\n"
      "JSONL: one object per line with id, code, optional description, tags, metadata.\n"
      "Idempotent: unchanged entries stay as they are; changed code is updated and reset to "
      "pending.\n\n"
      "Exit codes: 0 imported (a warning when nothing was found), 1 some files or lines were "
      "skipped (each is named on stderr), 2 bad arguments, 3 database error.");
  cmd->callback([&run, path, max_size] {
    run = [path, max_size](Context& ctx) { return RunImport(ctx, *path, *max_size); };
  });
}

}  // namespace cnake::cli
