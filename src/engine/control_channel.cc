#include "engine/control_channel.h"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace cnake::engine {

std::string RunFilePath(const std::string& db_path) { return db_path + ".run"; }

Status WriteRunFile(const std::string& path, const RunFile& run) {
  nlohmann::json j = {{"pid", run.pid},
                      {"program", run.program},
                      {"port", run.port},
                      {"token", run.token},
                      {"batch_id", run.batch_id},
                      {"db_path", run.db_path},
                      {"started_at", run.started_at}};
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write run file " + tmp + ": " + std::strerror(errno));
  const std::string text = j.dump() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fchmod(fd, 0600) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IoError("cannot write run file " + path);
  }
  return Status::Ok();
}

Result<RunFile> ReadRunFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("no run file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return Status(StatusCode::kParse, "run file " + path + " is not valid JSON");
  RunFile run;
  try {
    run.pid = j.at("pid").get<long>();
    run.program = j.value("program", "");
    run.port = j.at("port").get<int>();
    run.token = j.at("token").get<std::string>();
    run.batch_id = j.value("batch_id", "");
    run.db_path = j.value("db_path", "");
    run.started_at = j.value("started_at", "");
  } catch (const nlohmann::json::exception&) {
    return Status(StatusCode::kParse, "run file " + path + " lacks pid, port or token");
  }
  return run;
}

struct ControlServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int ControlServer::port() const { return impl_->port; }

Result<std::unique_ptr<ControlServer>> ControlServer::Start(std::string token,
                                                            ControlCallbacks callbacks) {
  auto impl = std::make_unique<Impl>();
  auto authorized = [token](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Cnake-Token") == token) return true;
    res.status = 401;
    res.set_content("{\"detail\":\"bad token\"}", "application/json");
    return false;
  };
  impl->server.Get("/status", [=](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res))
      res.set_content(SnapshotJson(callbacks.snapshot()).dump(), "application/json");
  });
  impl->server.Get("/metrics", [=](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) {
      res.set_content(PrometheusMetrics(callbacks.snapshot()), "text/plain; version=0.0.4");
    }
  });
  impl->server.Post("/cancel", [=](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    callbacks.cancel();
    res.set_content("{\"cancelling\":true}", "application/json");
  });
  impl->port = impl->server.bind_to_any_port("127.0.0.1");
  if (impl->port <= 0) return Status(StatusCode::kNetwork, "cannot bind the control endpoint");
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

Result<std::string> CallControl(const RunFile& run, const std::string& method,
                                const std::string& path) {
  httplib::Client client("127.0.0.1", run.port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  httplib::Headers headers = {{"X-Cnake-Token", run.token}};
  auto res = method == "POST" ? client.Post(path.c_str(), headers, "", "application/json")
                              : client.Get(path.c_str(), headers);
  if (!res) {
    return Status(StatusCode::kNetwork, "the running process (PID " + std::to_string(run.pid) +
                                            ") does not answer on its control endpoint");
  }
  if (res->status == 401) return Status(StatusCode::kAuth, "control token rejected");
  if (res->status != 200) {
    return Status(StatusCode::kHttp,
                  "control endpoint answered HTTP " + std::to_string(res->status));
  }
  return res->body;
}

nlohmann::json SnapshotJson(const Snapshot& s) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : s.recent_errors) errors.push_back(e);
  return {{"batch_id", s.batch_id},
          {"state", s.state},
          {"live", true},
          {"counts",
           {{"total", s.total},
            {"pending", s.pending},
            {"submitted", s.submitted},
            {"processing", s.processing},
            {"retrying", s.retrying},
            {"completed", s.completed},
            {"failed", s.failed}}},
          {"jobs_in_flight", s.jobs_in_flight},
          {"requests_in_flight", s.requests_in_flight},
          {"queued", s.queued},
          {"requests", s.requests},
          {"retries", s.retries},
          {"throttled", s.throttled},
          {"lost_jobs", s.lost_jobs},
          {"current_rpm", s.current_rpm},
          {"configured_rpm", s.configured_rpm},
          {"breaker", s.breaker_state},
          {"rate_wait_seconds", s.rate_wait_seconds},
          {"breaker_open_seconds", s.breaker_open_seconds},
          {"elapsed_seconds", s.elapsed_seconds},
          {"entries_per_second", s.entries_per_second},
          {"eta_seconds", s.eta_seconds()},
          {"latency_ms",
           {{"p50", s.latency.Quantile(0.5)},
            {"p90", s.latency.Quantile(0.9)},
            {"p99", s.latency.Quantile(0.99)},
            {"count", s.latency.count}}},
          {"recent_errors", errors}};
}

std::string PrometheusMetrics(const Snapshot& s) {
  std::ostringstream o;
  auto gauge = [&](const char* name, const char* help, double v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
      << name << " " << v << "\n";
  };
  o << "# HELP cnake_requests_total HTTP requests sent to the API, by endpoint.\n"
    << "# TYPE cnake_requests_total counter\n";
  const char* endpoints[] = {"generate", "status", "results", "health"};
  for (int i = 0; i < 4; ++i) {
    o << "cnake_requests_total{endpoint=\"" << endpoints[i] << "\"} " << s.requests_by_endpoint[i]
      << "\n";
  }
  o << "# HELP cnake_request_latency_seconds API request latency.\n"
    << "# TYPE cnake_request_latency_seconds histogram\n";
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBoundsMs.size(); ++i) {
    cumulative += s.latency.counts[i];
    o << "cnake_request_latency_seconds_bucket{le=\"" << LatencyHistogram::kBoundsMs[i] / 1000.0
      << "\"} " << cumulative << "\n";
  }
  cumulative += s.latency.counts.back();
  o << "cnake_request_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "cnake_request_latency_seconds_sum " << s.latency.sum_ms / 1000.0 << "\n"
    << "cnake_request_latency_seconds_count " << s.latency.count << "\n";
  o << "# HELP cnake_entries Entries of the batch by state.\n# TYPE cnake_entries gauge\n";
  const std::pair<const char*, std::int64_t> states[] = {
      {"pending", s.pending},   {"submitted", s.submitted}, {"processing", s.processing},
      {"retrying", s.retrying}, {"completed", s.completed}, {"failed", s.failed}};
  for (const auto& [state, n] : states)
    o << "cnake_entries{state=\"" << state << "\"} " << n << "\n";
  gauge("cnake_jobs_in_flight", "Jobs submitted and not yet final.",
        static_cast<double>(s.jobs_in_flight));
  gauge("cnake_queue_length", "Claimed entries waiting for a job slot.",
        static_cast<double>(s.queued));
  gauge("cnake_rate_limit_rpm", "Current request rate limit (requests per minute).", s.current_rpm);
  gauge("cnake_rate_limit_wait_seconds", "Time dispatch was paused by 429/Retry-After.",
        s.rate_wait_seconds);
  gauge("cnake_retries", "Retries scheduled.", static_cast<double>(s.retries));
  gauge("cnake_circuit_breaker_open", "1 when the circuit breaker is not closed.",
        s.breaker_state == "closed" ? 0 : 1);
  return o.str();
}

}  // namespace cnake::engine
