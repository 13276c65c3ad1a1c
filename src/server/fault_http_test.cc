// Every fault, observed the way a client sees it: libcurl for HTTP-level
// behaviour, raw sockets where the bytes or a TCP reset matter.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <regex>

#include "server/fault_responses.h"
#include "server/test_support.h"

namespace cnake::server {
namespace {

using nlohmann::json;
using testing::Fetch;
using testing::GenerateBody;
using testing::Get;
using testing::HttpReply;
using testing::PostJson;
using testing::RawExchange;
using testing::RawGet;
using testing::TestServer;
using testing::TestServerConfig;

std::unique_ptr<TestServer> WithFaults(const json& scenario, std::string log_name = "") {
  TestServerConfig config;
  auto parsed = Scenario::FromJson(scenario);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  config.scenario = parsed.ok() ? *parsed : Scenario{};
  if (!log_name.empty()) {
    config.request_log_path = testing::TempPath(log_name);
    std::remove(config.request_log_path.c_str());
  }
  return std::make_unique<TestServer>(config);
}

std::unique_ptr<TestServer> WithFault(const char* endpoint, const char* fault,
                                      json params = json::object()) {
  return WithFaults({{"endpoints", {{endpoint, {{fault, 1.0}}}}}, {"params", params}});
}

TEST(FaultHttpTest, TooManyRequestsWithRetryAfterSeconds) {
  auto s = WithFault("status", "429", {{"retry_after_s", 7}, {"retry_after_form", "seconds"}});
  HttpReply r = Get(s->Url("/status/abc"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("retry-after"), "7");
  EXPECT_TRUE(r.Json().contains("detail"));
}

TEST(FaultHttpTest, TooManyRequestsWithRetryAfterHttpDate) {
  auto s = WithFault("status", "429", {{"retry_after_s", 7}, {"retry_after_form", "http-date"}});
  HttpReply r = Get(s->Url("/status/abc"));
  EXPECT_EQ(r.status, 429);
  const std::string value = r.Header("retry-after");
  EXPECT_TRUE(std::regex_match(
      value, std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)")))
      << value;
  EXPECT_EQ(value, FormatHttpDate(s->fake_clock.WallNow() + std::chrono::seconds(7)));
}

TEST(FaultHttpTest, AlternateFormUsesBothRetryAfterForms) {
  auto s = WithFault("health", "429");
  bool seconds = false, date = false;
  for (int i = 0; i < 40; ++i) {
    const std::string v = Get(s->Url("/health")).Header("retry-after");
    (v == "1" ? seconds : date) = true;
  }
  EXPECT_TRUE(seconds && date);
}

TEST(FaultHttpTest, StatusCodeFaults) {
  for (const char* code : {"500", "502", "503", "504", "401", "400", "422"}) {
    auto s = WithFault("results", code);
    HttpReply r = Get(s->Url("/results/abc"));
    EXPECT_EQ(r.status, std::stol(code)) << code;
    EXPECT_FALSE(r.body.empty()) << code;
    if (std::string(code) == "503") {
      EXPECT_EQ(r.Header("retry-after"), "1");
    }
    if (std::string(code) == "422") {
      EXPECT_TRUE(r.Json()["detail"].is_array());
    }
  }
}

TEST(FaultHttpTest, HangEndsOnlyWhenTheClientGivesUp) {
  auto s = WithFault("status", "hang");
  testing::HttpCall call{"GET", s->Url("/status/abc")};
  call.timeout_ms = 300;
  HttpReply r = Fetch(call);
  EXPECT_EQ(r.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(r.status, 0);
}

TEST(FaultHttpTest, ResetBeforeResponse) {
  auto s = WithFault("health", "reset_before");
  testing::RawReply r = RawExchange(s->port(), RawGet("/api/health"), 3000);
  EXPECT_EQ(r.error, ECONNRESET);
  EXPECT_TRUE(r.bytes.empty());
  EXPECT_EQ(Get(s->Url("/health")).curl_code, CURLE_RECV_ERROR);
}

TEST(FaultHttpTest, ResetInTheMiddleOfTheResponse) {
  auto s = WithFault("health", "reset_mid");
  testing::RawReply r = RawExchange(s->port(), RawGet("/api/health"), 3000);
  EXPECT_EQ(r.error, ECONNRESET);
  EXPECT_EQ(r.bytes.rfind("HTTP/1.1 200", 0), 0u) << r.bytes;
  EXPECT_NE(r.bytes.find("Content-Length: 15"), std::string::npos);
  const std::string body = r.bytes.substr(r.bytes.find("\r\n\r\n") + 4);
  EXPECT_GT(body.size(), 0u);
  EXPECT_LT(body.size(), 15u);
}

TEST(FaultHttpTest, TruncatedBodyClosesEarly) {
  auto s = WithFault("health", "truncated");
  testing::RawReply r = RawExchange(s->port(), RawGet("/api/health"), 3000);
  EXPECT_EQ(r.error, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.bytes.find("Content-Length: 15"), std::string::npos);
  EXPECT_EQ(r.bytes.substr(r.bytes.find("\r\n\r\n") + 4), R"({"statu)");
  EXPECT_EQ(Get(s->Url("/health")).curl_code, CURLE_PARTIAL_FILE);
}

TEST(FaultHttpTest, MalformedJson) {
  auto s = WithFault("health", "malformed_json");
  HttpReply r = Get(s->Url("/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Json().is_discarded()) << r.body;
}

TEST(FaultHttpTest, OversizedBodyIsStreamedWithItsLength) {
  auto s = WithFault("generate", "oversized", {{"oversized_bytes", 5 << 20}});
  testing::HttpCall call{"POST", s->Url("/generate"), GenerateBody().dump()};
  call.max_body = 1 << 20;
  HttpReply r = Fetch(call);
  EXPECT_EQ(r.curl_code, CURLE_WRITE_ERROR);  // our limit stopped it
  EXPECT_EQ(r.Header("content-length"), std::to_string(5 << 20));
  EXPECT_EQ(r.body.rfind(R"({"request_id":"xxxx)", 0), 0u);
}

TEST(FaultHttpTest, HugeChunkedBody) {
  auto s = WithFault("status", "huge_chunked", {{"huge_chunked_bytes", 2 << 20}});
  HttpReply r = Get(s->Url("/status/abc"));
  EXPECT_EQ(r.curl_code, CURLE_OK);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.body.size(), static_cast<size_t>(2 << 20));
  EXPECT_TRUE(r.Json().is_object());
}

TEST(FaultHttpTest, SlowDripSendsOneByteAtATime) {
  auto s = WithFault("health", "slow_drip", {{"drip_interval_ms", 2}});
  testing::RawReply r = RawExchange(s->port(), RawGet("/api/health"), 5000);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.bytes.substr(r.bytes.find("\r\n\r\n") + 4), R"({"status":"ok"})");
  // The head arrives in one piece, then the 15 body bytes one by one.
  EXPECT_GE(r.read_sizes.size(), 10u);
}

TEST(FaultHttpTest, GzipBombInflatesFarBeyondItsLength) {
  auto s = WithFault("health", "gzip_bomb", {{"gzip_bomb_bytes", 4 << 20}});
  testing::HttpCall call{"GET", s->Url("/health")};
  call.accept_gzip = true;
  HttpReply r = Fetch(call);
  EXPECT_EQ(r.Header("content-encoding"), "gzip");
  EXPECT_LT(std::stoul(r.Header("content-length")), 64u << 10);
  EXPECT_EQ(r.body.size(), static_cast<size_t>(4 << 20));
}

TEST(FaultHttpTest, DeeplyNestedJson) {
  auto s = WithFault("status", "deep_nesting", {{"nesting_depth", 5000}});
  HttpReply r = Get(s->Url("/status/abc"));
  EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '['), 5000);
  EXPECT_EQ(std::count(r.body.begin(), r.body.end(), ']'), 5000);
}

TEST(FaultHttpTest, InvalidUtf8AndNulInGeneratedCode) {
  {
    auto s = WithFault("results", "invalid_utf8");
    const std::string id = s->SubmitJob();
    HttpReply r = Get(s->Url("/results/" + id));
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\xff\xfe"), std::string::npos);
  }
  {
    auto s = WithFault("results", "nul_bytes");
    const std::string id = s->SubmitJob();
    json body = Get(s->Url("/results/" + id)).Json();
    ASSERT_TRUE(body.is_object());
    EXPECT_NE(body["generated_code"]["python"].get<std::string>().find('\0'), std::string::npos);
  }
}

TEST(FaultHttpTest, RedirectToAnotherPort) {
  auto s = WithFault("status", "redirect", {{"redirect_base", "http://127.0.0.1:9"}});
  HttpReply r = Get(s->Url("/status/abc"));
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(r.Header("location"), "http://127.0.0.1:9/api/status/abc");
}

TEST(FaultHttpTest, HostileRequestIds) {
  auto evil = WithFault("generate", "evil_request_id");
  EXPECT_EQ(PostJson(evil->Url("/generate"), GenerateBody()).Json()["request_id"], "../x");
  EXPECT_EQ(evil->engine->Stats().jobs_created, 0u);
  auto huge = WithFault("generate", "huge_request_id");
  EXPECT_EQ(PostJson(huge->Url("/generate"), GenerateBody())
                .Json()["request_id"]
                .get<std::string>()
                .size(),
            10240u);
}

TEST(FaultHttpTest, FailedJob) {
  auto s = WithFault("generate", "job_failed");
  const std::string id = s->SubmitJob();
  EXPECT_EQ(Get(s->Url("/status/" + id)).Json()["status"], "failed");
  json results = Get(s->Url("/results/" + id)).Json();
  EXPECT_EQ(results["status"], "failed");
  EXPECT_TRUE(results["generated_code"].is_null());
  EXPECT_FALSE(results["error_messages"].empty());
}

TEST(FaultHttpTest, NeverCompletingJob) {
  auto s = WithFault("generate", "job_never_completes");
  const std::string id = s->SubmitJob();
  s->fake_clock.Advance(std::chrono::minutes(30));
  EXPECT_EQ(Get(s->Url("/status/" + id)).Json()["status"], "processing");
  EXPECT_EQ(Get(s->Url("/results/" + id)).Json()["status"], "processing");
}

TEST(FaultHttpTest, LostJobAnswers404AfterAcceptance) {
  auto s = WithFaults({{"endpoints", {{"generate", {{"job_lost", 1.0}}}}}}, "lost.jsonl");
  const std::string id = s->SubmitJob();
  EXPECT_EQ(Get(s->Url("/status/" + id)).status, 404);
  EXPECT_EQ(Get(s->Url("/results/" + id)).status, 404);
  const auto lines = testing::ReadJsonLines(s->log ? testing::TempPath("lost.jsonl") : "");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["fault"], "job_lost");
  EXPECT_EQ(lines[1]["fault"], "job_lost");
  EXPECT_EQ(lines[1]["status"], 404);
}

TEST(FaultHttpTest, ServerErrorOnGenerateStillCreatesTheJob) {
  auto s = WithFaults({{"endpoints", {{"generate", {{"500", 1.0}}}}}}, "500.jsonl");
  HttpReply r = PostJson(s->Url("/generate"), GenerateBody(), {"Idempotency-Key: k"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(s->engine->Stats().jobs_created, 1u);
  PostJson(s->Url("/generate"), GenerateBody(), {"Idempotency-Key: k"});
  EXPECT_EQ(s->engine->Stats().jobs_created, 1u);
  const auto lines = testing::ReadJsonLines(testing::TempPath("500.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0]["request_id"].is_string());
  EXPECT_EQ(lines[0]["request_id"], lines[1]["request_id"]);
  EXPECT_EQ(lines[0]["fault"], "500");
  EXPECT_EQ(lines[1]["attempt"], 2);
}

TEST(FaultHttpTest, LatencyIsLogged) {
  auto s = WithFaults(
      {{"endpoints", {{"health", {{"latency", {{"rate", 1.0}, {"ms", 30}, {"jitter_ms", 0}}}}}}}},
      "latency.jsonl");
  EXPECT_EQ(Get(s->Url("/health")).status, 200);
  const auto lines = testing::ReadJsonLines(testing::TempPath("latency.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["latency_ms"], 30);
  EXPECT_TRUE(lines[0]["fault"].is_null());
}

// The statuses a client sees for a fixed request history.
std::vector<long> Observe(uint64_t seed) {
  const json scenario = {
      {"seed", seed},
      {"endpoints", {{"generate", {{"503", 0.3}, {"500", 0.2}}}, {"status", {{"502", 0.3}}}}}};
  auto s = WithFaults(scenario);
  std::vector<long> statuses;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "Idempotency-Key: entry-" + std::to_string(i % 20);
    HttpReply r =
        PostJson(s->Url("/generate"), GenerateBody("k = " + std::to_string(i % 20)), {key});
    statuses.push_back(r.status);
    if (r.status == 200)
      statuses.push_back(
          Get(s->Url("/status/" + r.Json()["request_id"].get<std::string>())).status);
  }
  return statuses;
}

TEST(FaultHttpTest, SameSeedSameFaultSequence) {
  const std::vector<long> a = Observe(11);
  EXPECT_EQ(a, Observe(11));
  EXPECT_NE(a, Observe(12));
  EXPECT_NE(std::count(a.begin(), a.end(), 503L), 0);
  EXPECT_NE(std::count(a.begin(), a.end(), 200L), 0);
}

}  // namespace
}  // namespace cnake::server
