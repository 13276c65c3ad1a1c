// The live status channel of a running `process`/`resume`.
//
// DuckDB lets only one process open the database file, so while a batch runs,
// `status`, `stats` and `cancel` from other processes talk to it here: an
// HTTP endpoint on 127.0.0.1 (random port), advertised in a run file beside
// the database (<db>.run, mode 0600) together with a random token that every
// request must carry (header X-Cnake-Token). Endpoints:
//   GET  /status   the live Snapshot as JSON
//   GET  /metrics  Prometheus text format
//   POST /cancel   stop the batch (as SIGINT does); in-flight request_ids are kept
//
// Thread safety: the server runs its own threads and calls the callbacks from
// them; callbacks must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/snapshot.h"
#include "util/status.h"

namespace cnake::engine {

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

struct ControlCallbacks {
  std::function<Snapshot()> snapshot;
  std::function<void()> cancel;
};

class ControlServer {
 public:
  static Result<std::unique_ptr<ControlServer>> Start(std::string token,
                                                      ControlCallbacks callbacks);
  ~ControlServer();
  int port() const;

 private:
  struct Impl;
  explicit ControlServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Client side: sends a request to the running process described by `run`.
// Errors: kNetwork when it does not answer, kAuth on a token mismatch.
Result<std::string> CallControl(const RunFile& run, const std::string& method,
                                const std::string& path);

nlohmann::json SnapshotJson(const Snapshot& s);
// Prometheus text exposition format (version 0.0.4).
std::string PrometheusMetrics(const Snapshot& s);

}  // namespace cnake::engine
