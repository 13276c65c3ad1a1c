// JSON Lines request log: one object per API request, written with a single
// write(2) per line so readers see whole lines while the server runs and after
// it is killed. Field reference: docs/api.md, "Request log".
//
// Thread-safe; lines from concurrent requests never interleave.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/clock.h"
#include "server/fault_plan.h"
#include "util/status.h"

namespace cnake::server {

struct RequestLogEntry {
  std::string method;
  std::string path;
  int status = 0;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> source_sha256;  // sha256 of the submitted source_code
  nlohmann::json source_id;                  // metadata.source_id, null if absent
  nlohmann::json batch_id;                   // metadata.batch_id, null if absent
  std::optional<std::string> request_id;
  std::optional<std::string> python_sha256;  // results responses carrying code
  Fault fault = Fault::kNone;
  Micros latency{0};
  uint32_t attempt = 0;
  bool job_created = false;
  // openai mode: the requested model and the usage the answer reported.
  std::optional<std::string> model;
  std::optional<int64_t> prompt_tokens, completion_tokens;
  // When the request arrived (before any injected delay); unset for answers
  // the HTTP library produced itself.
  std::optional<MonoTime> received;
};

class RequestLog {
 public:
  // Appends to `path` (created 0644 if missing). `clock` must outlive the log.
  static Result<std::unique_ptr<RequestLog>> Open(const std::string& path, Clock* clock);
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  void Write(const RequestLogEntry& entry);
  // The log's clock, for RequestLogEntry::received.
  MonoTime Now() const { return clock_->Now(); }
  // The JSON object Write() would emit, without the trailing newline.
  nlohmann::json ToJson(const RequestLogEntry& entry) const;

 private:
  RequestLog(int fd, Clock* clock);

  const int fd_;
  Clock* const clock_;
  const MonoTime start_;
  std::mutex mu_;
};

// "2024-05-01T12:00:00.123Z"
std::string FormatRfc3339Millis(WallTime t);

}  // namespace cnake::server
