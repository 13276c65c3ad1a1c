// The run file that advertises a running `process`/`resume` to other
// processes: beside the database (<db>.run, mode 0600), with the live
// control endpoint's port and the token every request to it must carry.
#pragma once

#include <string>

#include "util/status.h"

namespace cnake::control {

struct RunFile {
  long pid = 0;
  std::string program = "cnake-charmer-client";
  int port = 0;
  std::string token;
  std::string batch_id;
  std::string db_path;
  std::string started_at;
};

std::string RunFilePath(const std::string& db_path);
// Writes atomically with mode 0600.
Status WriteRunFile(const std::string& path, const RunFile& run);
// kNotFound when absent; kParse when unreadable as a run file.
Result<RunFile> ReadRunFile(const std::string& path);

}  // namespace cnake::control
