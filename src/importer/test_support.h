// Test helpers for cnake_importer: real temporary directories and a sink
// that collects what a reader reports. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "importer/importer.h"

namespace cnake::importer::testing {

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cnake_importer_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    // Tests may leave unreadable entries behind; make them removable.
    for (auto it = std::filesystem::recursive_directory_iterator(
             path_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_symlink())
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
    }
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `bytes` to `path`, creating parent directories.
inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// Collects everything a reader reports.
struct Collector {
  std::vector<ImportRecord> records;
  std::vector<ImportSkip> skips;

  RecordSink OnRecord() {
    return [this](ImportRecord&& r) {
      records.push_back(std::move(r));
      return Status::Ok();
    };
  }
  SkipSink OnSkip() {
    return [this](ImportSkip&& s) {
      skips.push_back(std::move(s));
      return Status::Ok();
    };
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const ImportRecord& r : records) ids.push_back(r.id);
    return ids;
  }
  // All skips, one per line, for failure messages.
  std::string SkipText() const {
    std::string text;
    for (const ImportSkip& s : skips) text += s.origin + ": " + s.reason + "\n";
    return text;
  }
};

}  // namespace cnake::importer::testing
