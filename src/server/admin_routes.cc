// The admin interface (not part of the API contract): read and switch the
// fault scenario, reset, and statistics. See docs/api.md, "Admin interface".
#include <httplib.h>

#include "server/contract.h"
#include "server/http_server.h"

namespace cnake::server {

using nlohmann::json;

namespace {
constexpr char kJsonType[] = "application/json";

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(Dump(body), kJsonType);
}
}  // namespace

void HttpServer::InstallAdminRoutes() {
  auto guarded = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      if (!AdminAllowed(req)) return Reply(res, 403, DetailJson("Forbidden"));
      handler(req, res);
    };
  };
  auto current_json = [this] {
    auto scenario = faults_->Current();
    json j = scenario->ToJson();
    j["effective_seed"] = faults_->SeedOf(*scenario);
    j["effective_delay"] = (scenario->delay ? *scenario->delay : options_.delay).ToString();
    return j;
  };

  http_->Get("/admin/faults",
             guarded([current_json](const httplib::Request&, httplib::Response& res) {
               Reply(res, 200, current_json());
             }));
  http_->Put("/admin/faults",
             guarded([this, current_json](const httplib::Request& req, httplib::Response& res) {
               json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
               if (body.is_discarded()) return Reply(res, 400, DetailJson("body is not JSON"));
               auto scenario = Scenario::FromJson(body);
               if (!scenario.ok()) return Reply(res, 400, DetailJson(scenario.status().message()));
               faults_->Set(std::move(scenario).value());
               Reply(res, 200, current_json());
             }));
  http_->Post("/admin/reset",
              guarded([this, current_json](const httplib::Request&, httplib::Response& res) {
                faults_->Reset();
                engine_->Reset();
                for (auto& counter : requests_) counter = 0;
                for (auto& counter : responses_) counter = 0;
                Reply(res, 200, current_json());
              }));
  http_->Get("/admin/stats", guarded([this](const httplib::Request&, httplib::Response& res) {
               Reply(res, 200, StatsJson());
             }));
}

json HttpServer::StatsJson() const {
  const EngineStats engine = engine_->Stats();
  json requests = json::object();
  for (size_t e = 0; e < kEndpointCount; ++e) {
    requests[EndpointName(static_cast<Endpoint>(e))] = requests_[e].load();
  }
  json responses = json::object();
  for (size_t s = 0; s < responses_.size(); ++s) {
    if (const uint64_t n = responses_[s].load(); n > 0) responses[std::to_string(s)] = n;
  }
  const auto uptime = engine_->clock()->Now() - started_at_;
  return {{"mode", options_.mode == ServeMode::kSync ? "sync" : "async"},
          {"uptime_s", std::chrono::duration<double>(uptime).count()},
          {"capacity", engine_->options().capacity},
          {"requests", std::move(requests)},
          {"responses", std::move(responses)},
          {"faults_injected", faults_->InjectedCounts()},
          {"jobs_created", engine.jobs_created},
          {"idempotent_replays", engine.idempotent_replays},
          {"jobs_forgotten", engine.jobs_forgotten},
          {"jobs_in_table", engine.jobs_in_table},
          {"outstanding_jobs", engine.outstanding_jobs},
          {"max_outstanding_jobs", engine.max_outstanding_jobs}};
}

}  // namespace cnake::server
