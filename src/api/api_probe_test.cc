#include "api/api_probe.h"

#include <gtest/gtest.h>

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
  Status Check() {
    return CheckApi(transport_, kBase, kId, [this](Duration) { ++pauses_; });
  }
  testing::FakeTransport transport_;
  int pauses_ = 0;
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

TEST_F(ApiProbeTest, ASuccessForAJobThatCannotExistMeansNoApi) {
  transport_.Enqueue(Http(200, R"({"status":"ok"})"));
  transport_.Enqueue(Http(200, "<html>single page app</html>"));
  EXPECT_EQ(Check().code(), StatusCode::kHttp);
}

TEST_F(ApiProbeTest, AKeyRefusedByTheStatusProbeIsAnAuthFailure) {
  transport_.Enqueue(Http(200, R"({"status":"ok"})"));  // /health needs no key
  transport_.Enqueue(Http(401, R"({"detail":"Not authenticated"})"));
  const Status st = Check();
  EXPECT_EQ(st.code(), StatusCode::kAuth);
  EXPECT_NE(st.message().find("authentication failed (HTTP 401)"), std::string::npos);
}

TEST_F(ApiProbeTest, AStrugglingApiPasses) {
  for (int status : {429, 500, 503}) {
    transport_.Enqueue(Http(200, R"({"status":"ok"})"));
    transport_.Enqueue(Http(status, "busy"));
    EXPECT_TRUE(Check().ok()) << status;
  }
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

}  // namespace
}  // namespace cnake::api
