// Test helpers for src/config tests: a temporary directory and file writing.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "config/config_loader.h"

namespace cnake::testing_util {

// A fresh directory under $TMPDIR (or /tmp), removed with its content.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/cnake-config-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to path()/name (creating parent directories) with `mode`.
  std::string Write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
    const std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    ::chmod(p.c_str(), mode);
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

// Inputs isolated from the real machine: cwd and HOME inside `dir`.
inline ConfigInputs Isolated(const TempDir& dir) {
  ConfigInputs in;
  in.cwd = dir.path();
  in.env["HOME"] = (dir.path() / "home").string();
  return in;
}

}  // namespace cnake::testing_util
