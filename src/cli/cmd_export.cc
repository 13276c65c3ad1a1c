#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "engine/entry_changes.h"

namespace cnake::cli {
namespace {

namespace fs = std::filesystem;

// Every stored result with its entry, in entry id order, one page at a time:
// first the page's keys (a top-N over the short cython_id column), then its
// rows by id range. One ORDER BY or hash join over all the rows carries the
// python text through an operator that must hold it, and ran out of
// memory_limit (200,000 results failed at 256MB; docs/reliability.md).
// `row` gets columns entry id, python id, code, metadata, description.
using RowFn = std::function<Status(const db::DataChunk& chunk, std::size_t row)>;
Status ForEachResult(Store& store, const RowFn& row_fn) {
  constexpr std::int64_t kPage = 1000;
  db::Connection& conn = store.connection();
  const std::string results = db::QuoteIdentifier(store.tables().results);
  const std::string entries = db::QuoteIdentifier(store.tables().entries);
  const std::string keys_sql = fmt::format(
      "SELECT cython_id FROM {} WHERE cython_id IS NOT NULL AND (? OR cython_id > ?) "
      "ORDER BY cython_id LIMIT ?",
      results);
  // The entries side is bounded too, so each page's join stays small, unless
  // an id column has a collation: its BETWEEN could then exclude a match.
  CNAKE_ASSIGN_OR_RETURN(const bool bytewise, engine::IdsCompareBytewise(conn, store.tables()));
  const std::string rows_sql = fmt::format(
      "SELECT e.id, p.id, p.code, CAST(p.metadata AS VARCHAR), e.description FROM {} p "
      "JOIN {} e ON e.id = p.cython_id WHERE p.cython_id BETWEEN ? AND ?{} "
      "ORDER BY e.id, p.id",
      results, entries, bytewise ? " AND e.id BETWEEN ? AND ?" : "");
  std::optional<std::string> after;
  while (true) {
    std::string lo, hi;
    std::int64_t keys = 0;
    {
      CNAKE_ASSIGN_OR_RETURN(db::QueryResult r, conn.QueryWith(keys_sql, !after.has_value(),
                                                               after.value_or(""), kPage));
      while (auto chunk = r.NextChunk()) {
        for (std::size_t row = 0; row < chunk->size(); ++row, ++keys) {
          if (keys == 0) lo = chunk->GetString(0, row);
          hi = chunk->GetString(0, row);
        }
      }
    }
    if (keys == 0) return Status::Ok();
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult r, bytewise ? conn.QueryWith(rows_sql, lo, hi, lo, hi)
                                                       : conn.QueryWith(rows_sql, lo, hi));
    while (auto chunk = r.NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row) {
        CNAKE_RETURN_IF_ERROR(row_fn(*chunk, row));
      }
    }
    if (keys < kPage) return Status::Ok();
    after = hi;  // duplicates of hi were all in this page's range
  }
}

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
  CNAKE_RETURN_IF_ERROR(ForEachResult(store, [&](const db::DataChunk& chunk, std::size_t row) {
    nlohmann::json line = {{"id", chunk.GetString(0, row)},
                           {"python_id", chunk.GetString(1, row)},
                           {"code", chunk.GetString(2, row)}};
    if (auto meta = chunk.GetOptString(3, row)) {
      line["metadata"] = nlohmann::json::parse(*meta, nullptr, false);
    }
    if (auto d = chunk.GetOptString(4, row)) line["description"] = *d;
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
  CNAKE_RETURN_IF_ERROR(
      ForEachResult(store, [&](const db::DataChunk& chunk, std::size_t row) -> Status {
        std::string id(chunk.GetString(0, row));
        auto target = SafeTarget(root, id);
        if (!target) {
          ++refused;
          *ctx.err << "refused id " << nlohmann::json(id).dump() << ": it would escape "
                   << root.string() << "\n";
          return Status::Ok();
        }
        fs::create_directories(target->parent_path(), ec);
        std::ofstream f(*target, std::ios::binary | std::ios::trunc);
        f << chunk.GetString(2, row);
        if (!f) return IoError("cannot write " + target->string());
        ++n;
        return Status::Ok();
      }));
  return n;
}

// Parquet goes out in one COPY, which cannot be paged, so it reads the
// results table alone: no join and no ORDER BY (rows in storage order), and
// row groups of 8,192 rows (DuckDB's default of 122,880 rows of python text
// needs more than the default memory_limit). Every result with a cython_id.
Result<std::int64_t> ExportParquet(Store& store, const std::string& output) {
  const auto literal = db::SqlStringLiteral(output);
  if (!literal) return InvalidArgument("the output path contains a NUL byte");
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      store.connection().Query(
          fmt::format("COPY (SELECT cython_id AS id, id AS python_id, code, metadata FROM {} WHERE "
                      "cython_id IS NOT NULL) TO {} (FORMAT parquet, ROW_GROUP_SIZE 8192)",
                      db::QuoteIdentifier(store.tables().results), *literal)));
  return r.rows_changed();
}

int RunExport(Context& ctx, const std::string& format, const std::string& output) {
  auto store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  std::int64_t refused = 0;
  Result<std::int64_t> written = std::int64_t{0};
  if (format == "jsonl") {
    if (output.empty() || output == "-") {
      written = ExportJsonl(*store, *ctx.out);
    } else {
      std::ofstream f(output, std::ios::binary | std::ios::trunc);
      if (!f) return Fail(ctx, IoError("cannot write " + output));
      written = ExportJsonl(*store, f);
    }
  } else if (output.empty()) {
    return Fail(ctx, InvalidArgument("--output is required for --format " + format));
  } else if (format == "parquet") {
    written = ExportParquet(*store, output);
  } else {
    written = ExportPyTree(ctx, *store, output, refused);
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
  cmd->add_option("--format", *format, "jsonl, parquet, or py (a tree of .py files)")
      ->check(CLI::IsMember({"jsonl", "parquet", "py"}));
  cmd->add_option("-o,--output", *output,
                  "File (jsonl, parquet) or directory (py); jsonl defaults to stdout");
  cmd->footer(
      "Examples:\n"
      "  cnake-charmer-client export > results.jsonl\n"
      "  cnake-charmer-client export --format parquet -o results.parquet\n"
      "  cnake-charmer-client export --format py -o out/   # out/<entry id>.py\n\n"
      "Ids that would escape the target directory (absolute, '..') are refused and reported; "
      "the exit code is then 1.");
  cmd->callback([&run, format, output] {
    run = [format, output](Context& ctx) { return RunExport(ctx, *format, *output); };
  });
}

}  // namespace cnake::cli
