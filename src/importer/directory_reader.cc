// ReadSourceDirectory: the recursive walk. See importer.h for the rules.

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include "importer/importer.h"
#include "importer/source_file.h"
#include "importer/text_util.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using importer::DisplayPath;
using DirKey = std::pair<dev_t, ino_t>;

enum class EntryKind { kSource, kDirectory, kSkip };

// One directory entry, classified before any file is read so that same-id
// conflicts can be resolved on names alone.
struct Entry {
  std::string name;
  EntryKind kind = EntryKind::kSkip;
  std::size_t extension_index = 0;  // kSource: index into ImportOptions::extensions
  DirKey dir_key{};                 // kDirectory
  std::string skip_reason;          // kSkip with a non-empty reason is reported
};

class DirectoryWalker {
 public:
  DirectoryWalker(const fs::path& root, const ImportOptions& options, const RecordSink& on_record,
                  const SkipSink& on_skip)
      : root_(root), options_(options), on_record_(on_record), on_skip_(on_skip) {}

  Status Run();

 private:
  // Walks `dir` (whose id prefix is `rel`, "" or ending in '/').
  Status Walk(const fs::path& dir, const std::string& rel);
  // `winner` is the entry that owns entry's id (maybe entry itself).
  Status ProcessSource(const fs::path& dir, const std::string& rel, const Entry& entry,
                       const Entry& winner);
  Status ProcessDirectory(const fs::path& dir, const std::string& rel, const Entry& entry);
  Entry Classify(const fs::path& dir, std::string name) const;
  // The name of a kSource entry without its extension.
  std::string_view Stem(const Entry& entry) const {
    return std::string_view(entry.name)
        .substr(0, entry.name.size() - options_.extensions[entry.extension_index].size());
  }
  // Index of the extension `name` ends with, or nullopt.
  std::optional<std::size_t> MatchExtension(std::string_view name) const;
  Status Skip(const fs::path& path, std::string reason) {
    return on_skip_(ImportSkip{DisplayPath(path), std::move(reason)});
  }

  const fs::path& root_;
  const ImportOptions& options_;
  const RecordSink& on_record_;
  const SkipSink& on_skip_;
  std::map<DirKey, std::string> visited_;  // every directory entered → its display path
  std::vector<DirKey> ancestors_;          // directories on the current path
};

std::optional<std::size_t> DirectoryWalker::MatchExtension(std::string_view name) const {
  for (std::size_t i = 0; i < options_.extensions.size(); ++i) {
    const std::string& ext = options_.extensions[i];
    if (!ext.empty() && name.size() > ext.size() && name.ends_with(ext)) return i;
  }
  return std::nullopt;
}

Entry DirectoryWalker::Classify(const fs::path& dir, std::string name) const {
  Entry entry;
  entry.name = std::move(name);
  const fs::path path = dir / entry.name;
  const std::optional<std::size_t> ext = MatchExtension(entry.name);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    // Dangling or looping symlinks and entries that vanished since listing.
    entry.skip_reason = importer::DescribeOpenError(path, errno);
    return entry;
  }
  if (S_ISDIR(info.st_mode)) {
    entry.kind = EntryKind::kDirectory;
    entry.dir_key = {info.st_dev, info.st_ino};
  } else if (ext && S_ISREG(info.st_mode)) {
    entry.kind = EntryKind::kSource;
    entry.extension_index = *ext;
  } else if (ext) {
    entry.skip_reason = "not a regular file";
  }
  return entry;
}

Status DirectoryWalker::Run() {
  struct stat info {};
  if (::stat(root_.c_str(), &info) != 0) {
    const int error = errno;
    const std::string message = fmt::format("cannot import \"{}\": {}", DisplayPath(root_),
                                            importer::DescribeOpenError(root_, error));
    return error == ENOENT ? NotFound(message) : IoError(message);
  }
  if (!S_ISDIR(info.st_mode)) {
    return InvalidArgument(
        fmt::format("cannot import \"{}\": not a directory", DisplayPath(root_)));
  }
  const DirKey key{info.st_dev, info.st_ino};
  visited_.emplace(key, DisplayPath(root_));
  ancestors_.push_back(key);
  return Walk(root_, "");
}

Status DirectoryWalker::Walk(const fs::path& dir, const std::string& rel) {
  // Only names are kept per level, so memory is bounded by one listing per
  // directory on the current path.
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (rel.empty()) {
      return IoError(
          fmt::format("cannot read directory \"{}\": {}", DisplayPath(dir), ec.message()));
    }
    return Skip(dir, "cannot read directory: " + ec.message());
  }
  for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.empty() && name.front() != '.') names.push_back(std::move(name));
  }
  if (ec) {
    // Keep what was listed: partial progress beats none.
    CNAKE_RETURN_IF_ERROR(Skip(dir, "cannot read the whole directory: " + ec.message()));
  }
  std::sort(names.begin(), names.end());

  std::vector<Entry> entries;
  entries.reserve(names.size());
  for (std::string& name : names) entries.push_back(Classify(dir, std::move(name)));

  // Files that map to the same id: the preferred extension wins.
  std::map<std::string_view, const Entry*> winners;
  for (const Entry& entry : entries) {
    if (entry.kind != EntryKind::kSource) continue;
    auto [slot, inserted] = winners.emplace(Stem(entry), &entry);
    if (!inserted && entry.extension_index < slot->second->extension_index) slot->second = &entry;
  }

  for (const Entry& entry : entries) {
    switch (entry.kind) {
      case EntryKind::kSource:
        CNAKE_RETURN_IF_ERROR(ProcessSource(dir, rel, entry, *winners.at(Stem(entry))));
        break;
      case EntryKind::kDirectory:
        CNAKE_RETURN_IF_ERROR(ProcessDirectory(dir, rel, entry));
        break;
      case EntryKind::kSkip:
        if (!entry.skip_reason.empty()) {
          CNAKE_RETURN_IF_ERROR(Skip(dir / entry.name, entry.skip_reason));
        }
        break;
    }
  }
  return Status::Ok();
}

Status DirectoryWalker::ProcessSource(const fs::path& dir, const std::string& rel,
                                      const Entry& entry, const Entry& winner) {
  const fs::path path = dir / entry.name;
  const std::string_view stem = Stem(entry);
  if (&winner != &entry) {
    return Skip(path, fmt::format("duplicate id \"{}{}\": it is already taken by \"{}\" ({} files "
                                  "are preferred over {} files with the same name)",
                                  importer::EscapeForDisplay(rel), importer::EscapeForDisplay(stem),
                                  DisplayPath(dir / winner.name),
                                  options_.extensions[winner.extension_index],
                                  options_.extensions[entry.extension_index]));
  }

  std::string id = rel + std::string(stem);
  if (auto problem = importer::ValidateId(id)) {
    return Skip(path, "the file name cannot be used as an id: " + *problem);
  }
  importer::SourceFileContent content = importer::ReadSourceFile(path, options_.max_file_bytes);
  if (!content.code) return Skip(path, std::move(content.skip_reason));
  return on_record_(
      importer::MakeSourceRecord(std::move(id), std::move(*content.code), DisplayPath(path)));
}

Status DirectoryWalker::ProcessDirectory(const fs::path& dir, const std::string& rel,
                                         const Entry& entry) {
  const fs::path path = dir / entry.name;
  if (auto seen = visited_.find(entry.dir_key); seen != visited_.end()) {
    const bool is_ancestor =
        std::find(ancestors_.begin(), ancestors_.end(), entry.dir_key) != ancestors_.end();
    if (is_ancestor) {
      return Skip(path, fmt::format("symlink loop: this is \"{}\", which contains it; not followed",
                                    seen->second));
    }
    return Skip(path, fmt::format("directory already imported as \"{}\" (reached again through a "
                                  "symlink); not followed",
                                  seen->second));
  }
  visited_.emplace(entry.dir_key, DisplayPath(path));
  ancestors_.push_back(entry.dir_key);
  Status status = Walk(path, rel + entry.name + "/");
  ancestors_.pop_back();
  return status;
}

}  // namespace

Status ReadSourceDirectory(const fs::path& root, const ImportOptions& options,
                           const RecordSink& on_record, const SkipSink& on_skip) {
  return DirectoryWalker(root, options, on_record, on_skip).Run();
}

}  // namespace cnake
