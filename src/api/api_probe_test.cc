#include "api/api_probe.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/fake_transport.h"

namespace cnake::api {
namespace {

constexpr const char* kBase = "http://127.0.0.1:8000/api";
constexpr const char* kId = "cnake-preflight-0123";

Response Http(int status, std::string body = "{}") {
  Response r;
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

Response Failed(TransportError error) {
  Response r;
  r.transport = error;
  r.error = "Connection refused";
  return r;
}

class ApiProbeTest : public ::testing::Test {
 protected:
  Status Check() { return CheckWith(*MakeCnakeCharmerProtocol("T")); }
  Status CheckWith(const Protocol& protocol) {
    ProbeOptions options;
    options.probe_id = kId;
    options.max_retry_after = std::chrono::seconds(60);
    options.pause = [this](Duration d) {
      ++pauses_;
      paused_ += d;
    };
    options.warn = [this](const std::string& text) { warnings_.push_back(text); };
    return CheckApi(transport_, protocol, kBase, clock_, options);
  }
  FakeClock clock_;
  testing::FakeTransport transport_;
  int pauses_ = 0;
  Duration paused_{0};
  std::vector<std::string> warnings_;
};

TEST_F(ApiProbeTest, TheContractsAnswerToAnUnknownIdPasses) {
  transport_.Enqueue(Http(200, R"({"status":"ok"})"));
  transport_.Enqueue(Http(404, R"({"detail":"Request cnake-preflight-0123 not found"})"));
  EXPECT_TRUE(Check().ok());
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(transport_.requests()[0].path, "/health");
  EXPECT_EQ(transport_.requests()[1].path, "/status/cnake-preflight-0123");
  EXPECT_EQ(transport_.requests()[1].endpoint, Endpoint::kStatus);
}

TEST_F(ApiProbeTest, HealthNotFoundMeansNoApiAtTheBaseUrl) {
  transport_.Enqueue(Http(404, R"({"detail":"Not Found"})"));
  const Status st = Check();
  EXPECT_EQ(st.code(), StatusCode::kHttp);
  EXPECT_EQ(st.message(),
            "no CnakeCharmer API at http://127.0.0.1:8000/api: check --base-url (GET "
            "http://127.0.0.1:8000/api/health answered HTTP 404)");
}

// /health answers (a root health route, another app), but the API's
// endpoints are not under this base.
TEST_F(ApiProbeTest, GenericNotFoundForTheStatusProbeMeansNoApi) {
  for (const std::string& body : {std::string(R"({"detail":"Not Found"})"),
                                  std::string("<html>404 Not Found</html>"), std::string("")}) {
    SCOPED_TRACE(body);
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(404, body));
    const Status st = Check();
    EXPECT_EQ(st.code(), StatusCode::kHttp);
    EXPECT_NE(st.message().find("no CnakeCharmer API at http://127.0.0.1:8000/api: check "
                                "--base-url"),
              std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("/status/cnake-preflight-0123"), std::string::npos);
  }
}

// Not-found pages of common servers that do name the path: not the API's.
TEST_F(ApiProbeTest, APathEchoingNotFoundPageIsNotTheApis) {
  for (const std::string& body :
       {std::string("<pre>Cannot GET /api/status/cnake-preflight-0123</pre>"),
        std::string(R"({"title":"Not Found","status":404,"detail":"No static resource )"
                    R"(api/status/cnake-preflight-0123."})")}) {
    SCOPED_TRACE(body);
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(404, body));
    EXPECT_EQ(Check().code(), StatusCode::kHttp);
  }
}

// A damaged answer proves nothing: it may be the API's (invalid UTF-8 in its
// detail, cut short, too deep to read).
TEST_F(ApiProbeTest, ADamagedAnswerPasses) {
  for (const std::string& body :
       {std::string("{\"detail\":\"Request cnake-preflight-0123\xff\xfe not found\"}"),
        std::string("{\"detail\":\"Request cnake-pre,,]}{"),
        "{\"request_id\":\"x\",\"status\":" + std::string(200, '[') + std::string(200, ']') +
            "}"}) {
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(404, body));
    EXPECT_TRUE(Check().ok()) << body.substr(0, 40);
  }
}

TEST_F(ApiProbeTest, OtherWellFormedNotFoundsAreNotTheApis) {
  for (const std::string& body : {std::string("404 page not found\n"), std::string("\"Not Found\""),
                                  std::string(R"({"detail":"Request some-other-id not found"})"),
                                  std::string(R"({"error":"not found"})")}) {
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(404, body));
    EXPECT_EQ(Check().code(), StatusCode::kHttp) << body;
  }
}

// Anything but a not-found or a refused key is the run's to handle, as for
// every poll: throttling, errors, damaged bodies.
TEST_F(ApiProbeTest, AnswersOtherThanNotFoundAreTheRunsToHandle) {
  for (int status : {200, 429, 500, 503}) {
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(status, "<html>whatever</html>"));
    EXPECT_TRUE(Check().ok()) << status;
  }
  transport_.Enqueue(Http(200, R"({"status":"ok"})"));
  transport_.Enqueue(Failed(TransportError::kTimeout));
  EXPECT_TRUE(Check().ok());
}

// The contract leaves /health open, so a wrong key shows first at the probe:
// stopping there claims no batch the run could not work on.
TEST_F(ApiProbeTest, AKeyRefusedAtTheStatusProbeIsAnAuthFailure) {
  for (int status : {401, 403}) {
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(status, R"({"detail":"Not authenticated"})"));
    const Status st = Check();
    EXPECT_EQ(st.code(), StatusCode::kAuth) << status;
    EXPECT_NE(st.message().find("authentication failed (HTTP " + std::to_string(status) + ")"),
              std::string::npos)
        << st.message();
  }
}

TEST_F(ApiProbeTest, AKeyRefusedAtHealthIsAnAuthFailure) {
  transport_.Enqueue(Http(401, R"({"detail":"Not authenticated"})"));
  const Status st = Check();
  EXPECT_EQ(st.code(), StatusCode::kAuth);
  EXPECT_NE(st.message().find("authentication failed (HTTP 401)"), std::string::npos);
}

// The server asked everyone to wait: the next request (the probe, then the
// run's first) waits, as the run's rate limiter would.
TEST_F(ApiProbeTest, RetryAfterIsHonouredBeforeTheNextRequest) {
  Response throttled = Http(429, R"({"detail":"slow down"})");
  throttled.retry_after = "2";
  transport_.Enqueue(throttled);  // /health
  Response busy = Http(503, R"({"detail":"busy"})");
  busy.retry_after = "3";
  transport_.Enqueue(busy);  // the status probe
  EXPECT_TRUE(Check().ok());
  EXPECT_EQ(pauses_, 2);
  EXPECT_EQ(paused_, std::chrono::seconds(5));
}

TEST_F(ApiProbeTest, RetryAfterIsCappedAtMaxRetryAfter) {
  Response throttled = Http(429, "{}");
  throttled.retry_after = "100000";
  transport_.Enqueue(throttled);
  transport_.Enqueue(Http(404, R"({"detail":"Request cnake-preflight-0123 not found"})"));
  EXPECT_TRUE(Check().ok());
  EXPECT_EQ(paused_, std::chrono::seconds(60));
}

TEST_F(ApiProbeTest, UnreachableIsRetriedThenNamed) {
  for (int i = 0; i < 3; ++i) transport_.Enqueue(Failed(TransportError::kConnectRefused));
  const Status st = Check();
  EXPECT_EQ(st.code(), StatusCode::kNetwork);
  EXPECT_NE(st.message().find("Is the API running at http://127.0.0.1:8000/api?"),
            std::string::npos);
  EXPECT_EQ(pauses_, 2);
  EXPECT_EQ(transport_.requests().size(), 3u);  // no status probe
}

TEST_F(ApiProbeTest, TlsFailureIsNotRetried) {
  transport_.Enqueue(Failed(TransportError::kTls));
  EXPECT_EQ(Check().code(), StatusCode::kNetwork);
  EXPECT_EQ(pauses_, 0);
}

// The chat protocol has no jobs: its check is GET {base}/models, which must
// list api.model.
class ChatProbeTest : public ApiProbeTest {
 protected:
  Status Check() { return CheckWith(*chat_); }
  std::unique_ptr<Protocol> chat_ = MakeOpenAiProtocol({.model = "cnake-7b"});
};

TEST_F(ChatProbeTest, AListedModelPassesWithOneRequest) {
  transport_.Enqueue(
      Http(200, R"({"object":"list","data":[{"id":"other"},{"id":"cnake-7b","object":"model"}]})"));
  EXPECT_TRUE(Check().ok());
  ASSERT_EQ(transport_.requests().size(), 1u);
  EXPECT_EQ(transport_.requests()[0].path, "/models");
  EXPECT_EQ(transport_.requests()[0].endpoint, Endpoint::kHealth);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ChatProbeTest, AnUnlistedModelIsAConfigurationError) {
  transport_.Enqueue(Http(200, R"({"data":[{"id":"a"},{"id":"b"}]})"));
  const Status st = Check();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("does not serve model \"cnake-7b\""), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("lists: a, b"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(kBase), std::string::npos) << st.message();
}

TEST_F(ChatProbeTest, NotFoundMeansNoOpenAiApiAtTheBaseUrl) {
  transport_.Enqueue(Http(404, R"({"detail":"Not Found"})"));
  const Status st = Check();
  EXPECT_EQ(st.code(), StatusCode::kHttp);
  EXPECT_NE(st.message().find("no OpenAI-compatible API at http://127.0.0.1:8000/api"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("/v1"), std::string::npos) << st.message();
  EXPECT_EQ(transport_.requests().size(), 1u);  // no /status probe: no jobs
}

TEST_F(ChatProbeTest, AKeyRefusedAtModelsIsAnAuthFailure) {
  transport_.Enqueue(Http(401, R"({"error":{"message":"Incorrect API key"}})"));
  EXPECT_EQ(Check().code(), StatusCode::kAuth);
}

// What cannot be checked is said, and left to the run.
TEST_F(ChatProbeTest, AnUnreadableListOrAnotherStatusOnlyWarns) {
  transport_.Enqueue(Http(200, "<html>proxy</html>"));
  EXPECT_TRUE(Check().ok());
  transport_.Enqueue(Http(500, "{}"));
  EXPECT_TRUE(Check().ok());
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_NE(warnings_[0].find("not checking api.model"), std::string::npos) << warnings_[0];
  EXPECT_NE(warnings_[1].find("answered HTTP 500"), std::string::npos) << warnings_[1];
}

TEST_F(ChatProbeTest, RetryAfterOnModelsIsHonouredBeforeTheRun) {
  Response throttled = Http(429, R"({"error":{"message":"slow down"}})");
  throttled.retry_after = "2";
  transport_.Enqueue(throttled);
  EXPECT_TRUE(Check().ok());
  EXPECT_EQ(paused_, std::chrono::seconds(2));
}

}  // namespace
}  // namespace cnake::api
