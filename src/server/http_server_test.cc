// The API contract end to end: a real server on loopback, libcurl as client.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "server/hashing.h"
#include "server/test_support.h"
#include "translate/translator.h"

namespace cnake::server {
namespace {

using nlohmann::json;
using testing::GenerateBody;
using testing::Get;
using testing::HttpReply;
using testing::PostJson;
using testing::TestServer;
using testing::TestServerConfig;

TEST(HttpServerTest, HealthAnswersOk) {
  TestServer s;
  HttpReply r = Get(s.Url("/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json(), json({{"status", "ok"}}));
  EXPECT_EQ(r.Header("content-type"), "application/json");
}

TEST(HttpServerTest, GenerateStatusResultsRoundTrip) {
  TestServer s;
  const std::string source = "cdef int x = 1\nprint(x)\n";
  HttpReply posted = PostJson(s.Url("/generate"), GenerateBody(source));
  ASSERT_EQ(posted.status, 200) << posted.body;
  const std::string id = posted.Json()["request_id"];
  ASSERT_FALSE(id.empty());

  json status = Get(s.Url("/status/" + id)).Json();
  EXPECT_EQ(status["request_id"], id);
  EXPECT_EQ(status["status"], "completed");
  EXPECT_TRUE(status.contains("progress"));
  EXPECT_TRUE(status["eta"].is_null());

  HttpReply results = Get(s.Url("/results/" + id));
  ASSERT_EQ(results.status, 200);
  json body = results.Json();
  EXPECT_EQ(body["status"], "completed");
  const translate::Translation expected = translate::TranslateCython(source);
  EXPECT_EQ(body["generated_code"]["python"], expected.python);
  EXPECT_EQ(body["analysis_results"]["untranslated_count"], expected.untranslated.size());
  EXPECT_EQ(body["analysis_results"]["untranslated_lines"].size(), expected.untranslated.size());
  for (const char* key : {"build_results", "equivalency_result", "error_messages"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
}

TEST(HttpServerTest, UnknownIdIs404WithFastApiDetail) {
  TestServer s;
  for (const char* endpoint : {"/status/", "/results/"}) {
    HttpReply r = Get(s.Url(std::string(endpoint) + "no-such-id"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.Json(), json({{"detail", "Request no-such-id not found"}}));
  }
  HttpReply route = Get(s.Url("/nothing-here"));
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(route.Json()["detail"], "Not Found");
}

TEST(HttpServerTest, WrongMethodIs405) {
  TestServer s;
  HttpReply r = Get(s.Url("/generate"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Json()["detail"], "Method Not Allowed");
}

TEST(HttpServerTest, InvalidBodiesAre422WithLocMsgType) {
  TestServer s;
  HttpReply missing = PostJson(s.Url("/generate"), {{"target_languages", {"python"}}});
  ASSERT_EQ(missing.status, 422);
  json detail = missing.Json()["detail"];
  ASSERT_TRUE(detail.is_array());
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "prompt"}));
  EXPECT_EQ(detail[0]["type"], "missing");
  EXPECT_TRUE(detail[0]["msg"].is_string());

  json body = GenerateBody();
  body["optimization_level"] = 7;
  body["max_attempts"] = "three";
  detail = PostJson(s.Url("/generate"), body).Json()["detail"];
  ASSERT_EQ(detail.size(), 2u);
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "optimization_level"}));
  EXPECT_EQ(detail[1]["type"], "int_type");

  HttpReply garbage = testing::Fetch({"POST", s.Url("/generate"), "{oops"});
  EXPECT_EQ(garbage.status, 422);
  EXPECT_EQ(garbage.Json()["detail"][0]["type"], "json_invalid");
}

TEST(HttpServerTest, UnknownFieldsAreIgnored) {
  TestServer s;
  json body = GenerateBody();
  body["something_new"] = {{"a", 1}};
  EXPECT_EQ(PostJson(s.Url("/generate"), body).status, 200);
}

TEST(HttpServerTest, BodyOverTheLimitIs413) {
  TestServerConfig config;
  config.options.max_body_bytes = 1000;
  TestServer s(config);
  HttpReply r = PostJson(s.Url("/generate"), GenerateBody(std::string(2000, 'x')));
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(r.Json().contains("detail"));
  EXPECT_EQ(PostJson(s.Url("/generate"), GenerateBody("x = 1")).status, 200);
}

TEST(HttpServerTest, IdempotencyKeyReplaysAndConflicts) {
  TestServer s;
  const std::vector<std::string> key = {"Idempotency-Key: entry-17"};
  const std::string first = s.SubmitJob("a = 1\n", key);
  const std::string again = s.SubmitJob("a = 1\n", key);
  EXPECT_EQ(first, again);
  EXPECT_EQ(s.engine->Stats().jobs_created, 1u);

  HttpReply conflict = PostJson(s.Url("/generate"), GenerateBody("a = 2\n"), key);
  EXPECT_EQ(conflict.status, 422);
  EXPECT_EQ(conflict.Json()["detail"][0]["loc"], json::array({"header", "Idempotency-Key"}));
  EXPECT_EQ(s.engine->Stats().jobs_created, 1u);

  EXPECT_NE(s.SubmitJob("a = 1\n", {"Idempotency-Key: entry-18"}), first);
}

TEST(HttpServerTest, BearerAuthentication) {
  TestServerConfig config;
  config.options.api_key = "s3cret";
  TestServer s(config);
  HttpReply none = PostJson(s.Url("/generate"), GenerateBody());
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Json()["detail"], "Not authenticated");
  EXPECT_EQ(PostJson(s.Url("/generate"), GenerateBody(), {"Authorization: Bearer wrong"}).status,
            401);
  EXPECT_EQ(Get(s.Url("/status/x"), {"Authorization: Basic czNjcmV0"}).status, 401);
  const std::vector<std::string> auth = {"Authorization: Bearer s3cret"};
  HttpReply ok = PostJson(s.Url("/generate"), GenerateBody(), auth);
  ASSERT_EQ(ok.status, 200);
  const std::string id = ok.Json()["request_id"];
  EXPECT_EQ(Get(s.Url("/status/" + id), auth).status, 200);
  EXPECT_EQ(Get(s.Url("/results/" + id)).status, 401);
  EXPECT_EQ(Get(s.Url("/health")).status, 200);  // exempt
}

TEST(HttpServerTest, SyncModeAnswersWithTheResult) {
  TestServerConfig config;
  config.options.mode = ServeMode::kSync;
  TestServer s(config);
  HttpReply r = PostJson(s.Url("/generate"), GenerateBody("y = 2\n"));
  ASSERT_EQ(r.status, 200);
  json body = r.Json();
  EXPECT_EQ(body["status"], "completed");
  EXPECT_EQ(body["generated_code"]["python"], translate::TranslateCython("y = 2\n").python);
  const std::string id = body["request_id"];
  EXPECT_EQ(Get(s.Url("/status/" + id)).Json()["status"], "completed");
}

// --no-eta: an API that does not estimate, as the contract allows.
TEST(HttpServerTest, WithoutEtasStatusAnswersCarryANullEta) {
  TestServerConfig config;
  config.options.delay = DelaySpec::Fixed(std::chrono::seconds(2));
  config.options.send_eta = false;
  TestServer s(config);
  const std::string a = s.SubmitJob("a = 1\n");
  json status = Get(s.Url("/status/" + a)).Json();
  EXPECT_EQ(status["status"], "processing");
  ASSERT_TRUE(status.contains("eta"));
  EXPECT_TRUE(status["eta"].is_null());
  EXPECT_DOUBLE_EQ(status["progress"].get<double>(), 0.0) << "progress is still given";
}

TEST(HttpServerTest, QueuedJobsReportPendingWithEtaFromQueuePosition) {
  TestServerConfig config;
  config.capacity = 1;
  config.options.delay = DelaySpec::Fixed(std::chrono::seconds(2));
  TestServer s(config);
  const std::string a = s.SubmitJob("a = 1\n");
  const std::string b = s.SubmitJob("b = 1\n");
  json sa = Get(s.Url("/status/" + a)).Json();
  json sb = Get(s.Url("/status/" + b)).Json();
  EXPECT_EQ(sa["status"], "processing");
  EXPECT_DOUBLE_EQ(sa["eta"].get<double>(), 2.0);
  EXPECT_EQ(sb["status"], "pending");
  EXPECT_DOUBLE_EQ(sb["eta"].get<double>(), 4.0);
  json early = Get(s.Url("/results/" + b)).Json();
  EXPECT_EQ(early["status"], "pending");
  EXPECT_TRUE(early["generated_code"].is_null());

  s.fake_clock.Advance(std::chrono::seconds(3));
  sb = Get(s.Url("/status/" + b)).Json();
  EXPECT_EQ(sb["status"], "processing");
  EXPECT_DOUBLE_EQ(sb["progress"].get<double>(), 50.0);
  s.fake_clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Get(s.Url("/results/" + b)).Json()["status"], "completed");
}

TEST(HttpServerTest, RetentionForgetsFinishedJobs) {
  TestServerConfig config;
  config.retention = std::chrono::seconds(10);
  TestServer s(config);
  const std::string id = s.SubmitJob();
  s.fake_clock.Advance(std::chrono::seconds(11));
  EXPECT_EQ(Get(s.Url("/status/" + id)).status, 404);
}

TEST(HttpServerTest, RequestLogHasOneCorrectLinePerRequest) {
  TestServerConfig config;
  config.request_log_path = testing::TempPath("log-fields.jsonl");
  std::remove(config.request_log_path.c_str());
  TestServer s(config);
  const std::string source = "z = 3\n";
  const std::string id = s.SubmitJob(source, {"Idempotency-Key: k-1"});
  Get(s.Url("/status/" + id));
  HttpReply results = Get(s.Url("/results/" + id));
  Get(s.Url("/status/unknown"));

  const std::vector<json> lines = testing::ReadJsonLines(config.request_log_path);
  ASSERT_EQ(lines.size(), 4u);
  for (const json& line : lines) {
    ASSERT_TRUE(line.is_object());
    for (const char* key :
         {"time", "mono_ms", "method", "path", "idempotency_key", "source_sha256", "source_id",
          "batch_id", "status", "request_id", "fault", "python_sha256", "received_mono_ms"}) {
      EXPECT_TRUE(line.contains(key)) << key;
    }
    ASSERT_TRUE(line["received_mono_ms"].is_number()) << line;
    EXPECT_LE(line["received_mono_ms"].get<long>(), line["mono_ms"].get<long>()) << line;
    EXPECT_EQ(line["time"].get<std::string>().size(), 24u);  // 2024-01-01T00:00:00.000Z
  }
  EXPECT_EQ(lines[0]["method"], "POST");
  EXPECT_EQ(lines[0]["path"], "/api/generate");
  EXPECT_EQ(lines[0]["idempotency_key"], "k-1");
  EXPECT_EQ(lines[0]["source_sha256"], Sha256Hex(source));
  EXPECT_EQ(lines[0]["source_id"], 7);
  EXPECT_EQ(lines[0]["batch_id"], "b1");
  EXPECT_EQ(lines[0]["request_id"], id);
  EXPECT_EQ(lines[0]["job_created"], true);
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_TRUE(lines[0]["fault"].is_null());
  EXPECT_EQ(lines[1]["path"], "/api/status/" + id);
  EXPECT_EQ(lines[2]["python_sha256"],
            Sha256Hex(results.Json()["generated_code"]["python"].get<std::string>()));
  EXPECT_EQ(lines[3]["status"], 404);
}

TEST(HttpServerTest, AdminSwitchesFaultsAtRuntimeAndBack) {
  TestServer s;
  EXPECT_EQ(Get(s.Url("/health")).status, 200);
  HttpReply put = testing::Fetch(
      {"PUT", s.AdminUrl("/admin/faults"), json({{"endpoints", {{"*", {{"503", 1.0}}}}}}).dump()});
  ASSERT_EQ(put.status, 200) << put.body;
  for (int i = 0; i < 5; ++i) {
    HttpReply r = Get(s.Url("/health"));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.Header("retry-after"), "1");
  }
  EXPECT_EQ(PostJson(s.Url("/generate"), GenerateBody()).status, 503);
  EXPECT_EQ(s.engine->Stats().jobs_created, 0u);  // rejected before any job
  EXPECT_EQ(Get(s.AdminUrl("/admin/faults")).Json()["endpoints"]["status"]["503"], 1.0);

  HttpReply bad = testing::Fetch({"PUT", s.AdminUrl("/admin/faults"), R"({"endpoints":{"x":{}}})"});
  EXPECT_EQ(bad.status, 400);

  EXPECT_EQ(testing::Fetch({"POST", s.AdminUrl("/admin/reset"), ""}).status, 200);
  EXPECT_EQ(Get(s.Url("/health")).status, 200);
}

TEST(HttpServerTest, TimedOutageEndsByItself) {
  TestServer s;
  testing::Fetch({"PUT", s.AdminUrl("/admin/faults"),
                  json({{"duration_s", 30}, {"endpoints", {{"*", {{"503", 1.0}}}}}}).dump()});
  EXPECT_EQ(Get(s.Url("/health")).status, 503);
  s.fake_clock.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Get(s.Url("/health")).status, 200);
}

TEST(HttpServerTest, AdminTokenIsRequiredWhenConfigured) {
  TestServerConfig config;
  config.options.admin_token = "adm";
  config.options.api_key = "api";
  TestServer s(config);
  EXPECT_EQ(Get(s.AdminUrl("/admin/stats")).status, 403);
  EXPECT_EQ(Get(s.AdminUrl("/admin/stats"), {"Authorization: Bearer api"}).status, 403);
  EXPECT_EQ(Get(s.AdminUrl("/admin/stats"), {"X-Admin-Token: adm"}).status, 200);
}

TEST(HttpServerTest, StatsCountMaxOutstandingJobs) {
  TestServer s;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(s.SubmitJob("v = " + std::to_string(i) + "\n"));
  for (const std::string& id : ids) Get(s.Url("/results/" + id));
  s.SubmitJob("w = 1\n");
  json stats = Get(s.AdminUrl("/admin/stats")).Json();
  EXPECT_EQ(stats["max_outstanding_jobs"], 3);
  EXPECT_EQ(stats["outstanding_jobs"], 1);
  EXPECT_EQ(stats["jobs_created"], 4);
  EXPECT_EQ(stats["requests"]["generate"], 4);
  EXPECT_EQ(stats["responses"]["200"], 7);
}

TEST(HttpServerTest, ConcurrentClientsGetDistinctJobs) {
  TestServerConfig config;
  config.fake_clock = false;
  TestServer s(config);
  std::vector<std::thread> threads;
  std::vector<std::string> ids(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] { ids[i] = s.SubmitJob("c = " + std::to_string(i) + "\n"); });
  }
  for (auto& t : threads) t.join();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
  EXPECT_EQ(s.engine->Stats().jobs_created, 16u);
}

}  // namespace
}  // namespace cnake::server
