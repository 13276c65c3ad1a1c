// The live control channel of a running `process`/`resume`.
//
// DuckDB lets only one process open the database file, so while a batch runs,
// `status`, `stats` and `cancel` from other processes talk to it here: an
// HTTP endpoint on 127.0.0.1 (random port), advertised in the run file
// (control/run_file.h) together with a random token that every request must
// carry (header X-Cnake-Token). Endpoints:
//   GET  /status   the live status document (JSON)
//   GET  /metrics  Prometheus text format
//   POST /cancel   stop the batch (as SIGINT does); in-flight request_ids are kept
//
// The channel knows nothing of batches: the callbacks produce the documents.
//
// Thread safety: the server runs its own threads and calls the callbacks from
// them; callbacks must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "control/run_file.h"
#include "util/status.h"

namespace cnake::control {

struct ControlCallbacks {
  std::function<std::string()> status_json;
  std::function<std::string()> metrics_text;
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

}  // namespace cnake::control
