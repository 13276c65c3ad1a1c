#include "server/request_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace cnake::server {

std::string FormatRfc3339Millis(WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

Result<std::unique_ptr<RequestLog>> RequestLog::Open(const std::string& path, Clock* clock) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot open request log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<RequestLog>(new RequestLog(fd, clock));
}

RequestLog::RequestLog(int fd, Clock* clock) : fd_(fd), clock_(clock), start_(clock->Now()) {}

RequestLog::~RequestLog() { ::close(fd_); }

nlohmann::json RequestLog::ToJson(const RequestLogEntry& e) const {
  auto opt = [](const std::optional<std::string>& v) -> nlohmann::json {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  nlohmann::json j = nlohmann::json::object();
  j["time"] = FormatRfc3339Millis(clock_->WallNow());
  j["mono_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_->Now() - start_).count();
  // received_mono_ms: arrival; mono_ms: when the answer was logged (after
  // the injected latency and the work).
  j["received_mono_ms"] =
      e.received ? nlohmann::json(
                       std::chrono::duration_cast<std::chrono::milliseconds>(*e.received - start_)
                           .count())
                 : nlohmann::json();
  j["method"] = e.method;
  j["path"] = e.path;
  j["status"] = e.status;
  j["idempotency_key"] = opt(e.idempotency_key);
  j["source_sha256"] = opt(e.source_sha256);
  j["source_id"] = e.source_id;
  j["batch_id"] = e.batch_id;
  j["request_id"] = opt(e.request_id);
  j["job_created"] = e.job_created;
  j["python_sha256"] = opt(e.python_sha256);
  j["fault"] = e.fault == Fault::kNone ? nlohmann::json() : nlohmann::json(FaultName(e.fault));
  j["latency_ms"] =
      e.latency.count() == 0 ? nlohmann::json() : nlohmann::json(e.latency.count() / 1000);
  j["attempt"] = e.attempt;
  j["model"] = opt(e.model);
  auto count = [](const std::optional<int64_t>& v) -> nlohmann::json {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  j["prompt_tokens"] = count(e.prompt_tokens);
  j["completion_tokens"] = count(e.completion_tokens);
  return j;
}

void RequestLog::Write(const RequestLogEntry& entry) {
  // Client-supplied strings may be invalid UTF-8: replace rather than throw.
  std::string line = ToJson(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk must not take the API down; the gap shows in the log
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace cnake::server
