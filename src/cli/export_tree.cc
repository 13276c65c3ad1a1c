#include "cli/export_tree.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "util/time_format.h"

namespace cnake::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kExamples = 5;

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

// Up to kExamples names and the number of files in `root` (recursively).
struct Listing {
  std::int64_t files = 0;
  std::vector<std::string> examples;
  void Add(const fs::path& root, const fs::path& file) {
    if (examples.size() < kExamples) examples.push_back(fs::relative(file, root).string());
    ++files;
  }
  std::string Names() const {
    return fmt::format("{}{}", fmt::join(examples, ", "),
                       files > static_cast<std::int64_t>(examples.size()) ? ", ..." : "");
  }
};

Listing FilesUnder(const fs::path& root) {
  Listing all;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) all.Add(root, it->path());
  }
  return all;
}

// The refusal of a directory someone else's files are in, naming what the
// export would overwrite.
Status RefuseForeignDirectory(Store& store, const fs::path& root, const Listing& present) {
  Listing overwritten;
  CNAKE_RETURN_IF_ERROR(store.queries().ForEachResult([&](const ResultRow& row) {
    std::error_code ec;
    if (auto target = SafeTarget(root, row.entry_id); target && fs::exists(*target, ec)) {
      overwritten.Add(root, *target);
    }
    return Status::Ok();
  }));
  const std::string would = overwritten.files == 0
                                ? "no file there would be overwritten"
                                : fmt::format("{} file(s) there would be overwritten: {}",
                                              overwritten.files, overwritten.Names());
  return InvalidArgument(fmt::format(
      "refusing to export into {}: it holds {} file(s) that `export` did not make ({}; no {} "
      "marker), and {}. Export into an empty or new directory, or add --force to write there "
      "anyway",
      root.string(), present.files, present.Names(), kExportMarker, would));
}

Status WriteMarker(const fs::path& root) {
  std::ofstream f(root / kExportMarker, std::ios::trunc);
  f << "Made by `cnake-charmer-client export --format py` ("
    << FormatIsoUtc(std::chrono::system_clock::now())
    << "). A later export into this directory overwrites the .py files it writes.\n";
  return f ? Status::Ok() : IoError("cannot write " + (root / kExportMarker).string());
}

// Files under `root` last written before `since`: not from this export.
void FindStale(const fs::path& root, fs::file_time_type since, PyTreeExport& out) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) || it->path() == root / kExportMarker) continue;
    if (it->last_write_time(ec) >= since || ec) continue;
    if (out.stale_examples.size() < kExamples) {
      out.stale_examples.push_back(fs::relative(it->path(), root).string());
    }
    ++out.stale;
  }
}

}  // namespace

Result<PyTreeExport> ExportPyTree(Store& store, const fs::path& root, bool force,
                                  std::ostream& err) {
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    return InvalidArgument(root.string() +
                           " exists and is not a directory; --format py writes "
                           "a directory of .py files");
  }
  if (!force && !fs::exists(root / kExportMarker, ec)) {
    const Listing present = FilesUnder(root);
    if (present.files > 0) return RefuseForeignDirectory(store, root, present);
  }
  fs::create_directories(root, ec);
  if (ec) return IoError("cannot create " + root.string() + ": " + ec.message());
  // A second of slack: file times come from the kernel's coarse clock,
  // which may lag the clock read here by a tick.
  const fs::file_time_type started = fs::file_time_type::clock::now() - std::chrono::seconds(1);
  CNAKE_RETURN_IF_ERROR(WriteMarker(root));
  PyTreeExport out;
  CNAKE_RETURN_IF_ERROR(store.queries().ForEachResult([&](const ResultRow& row) -> Status {
    auto target = SafeTarget(root, row.entry_id);
    if (!target) {
      ++out.refused;
      err << "refused id " << nlohmann::json(row.entry_id).dump() << ": it would escape "
          << root.string() << "\n";
      return Status::Ok();
    }
    std::error_code dir_ec;
    fs::create_directories(target->parent_path(), dir_ec);
    std::ofstream f(*target, std::ios::binary | std::ios::trunc);
    f << row.code;
    if (!f) return IoError("cannot write " + target->string());
    ++out.written;
    return Status::Ok();
  }));
  FindStale(root, started, out);
  return out;
}

}  // namespace cnake::cli
