#include "control/control_server.h"

#include <httplib.h>

#include <thread>

namespace cnake::control {

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
    if (authorized(req, res)) res.set_content(callbacks.status_json(), "application/json");
  });
  impl->server.Get("/metrics", [=](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) {
      res.set_content(callbacks.metrics_text(), "text/plain; version=0.0.4");
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

}  // namespace cnake::control
