// `export --format py`: the results as a tree of .py files, <root>/<entry
// id>.py. The root gets a marker file (kExportMarker) on every export, so a
// later export can tell a directory it made from one that holds someone
// else's files: a non-empty directory without the marker is refused (naming
// the files that would be overwritten) unless `force`. Ids that would escape
// the root ("..", absolute) are refused and counted. Files under the root
// that this export did not write (left by an earlier export with other
// results, or added by hand) are reported, never deleted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace cnake::cli {

inline constexpr const char* kExportMarker = ".cnake-export";

struct PyTreeExport {
  std::int64_t written = 0;
  std::int64_t refused = 0;                 // ids that would escape the root
  std::int64_t stale = 0;                   // files this export did not write
  std::vector<std::string> stale_examples;  // the first few, relative to the root
};

// Errors: kInvalidArgument when the root is not a directory, or holds files
// without the marker and `force` is false (the message names what would be
// overwritten); kIoError when a file cannot be written. `err` receives one
// line per refused id.
Result<PyTreeExport> ExportPyTree(Store& store, const std::filesystem::path& root, bool force,
                                  std::ostream& err);

}  // namespace cnake::cli
