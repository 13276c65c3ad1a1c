// A wrong --base-url (issue 21, item 4): nothing is failed, the run or the
// start-up check stops with exit 4 and "no CnakeCharmer API at <url>".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/test_server.h"
#include "client_fixture.h"

namespace cnake {
namespace {

using api::testing::Connection;
using api::testing::HttpResponse;
using api::testing::ScriptedServer;

class WrongUrlTest : public ClientTest {
 protected:
  std::string Counts() {
    return Query(
        "SELECT count(*) FILTER (WHERE processing_status = 'failed') || '/' || "
        "count(*) FILTER (WHERE coalesce(processing_status, 'pending') = 'pending') "
        "FROM cython_entries");
  }
};

// The request line's path of a raw HTTP request.
std::string PathOf(const std::string& request) {
  const std::size_t start = request.find(' ') + 1;
  return request.substr(start, request.find(' ', start) - start);
}

TEST_F(WrongUrlTest, AWrongBasePathIsFoundBeforeAnyBatch) {
  testing::ReferenceServer server({"--mode", "sync"});
  ImportEntries(3);
  const std::string wrong = "http://127.0.0.1:" + std::to_string(server.port()) + "/wrong";
  testing::ProcessResult r = Client({"process"}, wrong);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("no CnakeCharmer API at " + wrong + ": check --base-url"), std::string::npos)
      << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
  EXPECT_EQ(Counts(), "0/3");
}

// /health answers at the base, the API's endpoints do not (a generic 404).
TEST_F(WrongUrlTest, AHealthRouteWithoutTheApiIsFoundBeforeAnyBatch) {
  ScriptedServer server([](Connection& c) {
    while (auto request = c.ReadRequest()) {
      const bool health = PathOf(*request) == "/health";
      if (!c.Send(health ? HttpResponse(200, R"({"status":"ok"})")
                         : HttpResponse(404, "<html><body>404 Not Found</body></html>"))) {
        return;
      }
    }
  });
  ImportEntries(3);
  testing::ProcessResult r = Client({"process"}, server.url());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("no CnakeCharmer API at " + server.url() + ": check --base-url"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
}

// Should a 404 on POST /generate come all the same, the run stops: no entry
// is marked failed, and the batch can be resumed once the URL is right.
TEST_F(WrongUrlTest, NotFoundOnGenerateStopsTheRunAndFailsNoEntry) {
  ScriptedServer server([](Connection& c) {
    while (auto request = c.ReadRequest()) {
      const std::string path = PathOf(*request);
      std::string answer;
      if (path == "/health") {
        answer = HttpResponse(200, R"({"status":"ok"})");
      } else if (path.rfind("/status/", 0) == 0) {
        answer = HttpResponse(
            404, nlohmann::json{{"detail", "Request " + path.substr(8) + " not found"}}.dump());
      } else {
        answer = HttpResponse(404, R"({"detail":"Not Found"})");
      }
      if (!c.Send(answer)) return;
    }
  });
  ImportEntries(5);
  testing::ProcessResult r = Client({"process", "--max-concurrent", "2"}, server.url());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("no CnakeCharmer API at " + server.url() + ": check --base-url (POST " +
                       server.url() + "/generate answered HTTP 404)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("once that is fixed, resume with: cnake-charmer-client resume "
                       "--batch-id b-"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Counts(), "0/5");
  EXPECT_EQ(Query("SELECT status FROM batch_jobs"), "failed");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM processing_errors"), "0");
}

}  // namespace
}  // namespace cnake
