// CurlTransport and the message parsers against the reference server
// (src/server, docs/api.md) on 127.0.0.1. Skipped when the server binary has
// not been built; CNAKE_SERVER_BIN overrides its location.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "api/api_messages.h"
#include "api/api_paths.h"
#include "api/curl_transport.h"
#include "api/protocol.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace cnake::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kKey[] = "sk-reference-KEY-42";

std::string ServerBinary() {
  const char* env = std::getenv("CNAKE_SERVER_BIN");
  return env != nullptr ? env : std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-server";
}

// The server as a child process; its first stdout line gives the URL. The
// destructor stops it with SIGTERM and reaps it.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    args.insert(args.begin(), ServerBinary());
    // Everything the child needs is built before fork(): only async-signal-safe
    // calls may run between fork and exec.
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string key_env = std::string("CNAKE_SERVER_API_KEY=") + kKey;
    std::vector<char*> envp = {key_env.data(), nullptr};
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    close(out[1]);
    url_ = ReadUrl(out[0]);
    close(out[0]);
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  // "http://127.0.0.1:<port>/api", or empty when the server did not start.
  const std::string& url() const { return url_; }

 private:
  static std::string ReadUrl(int fd) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    const std::string prefix = "listening on ";
    const std::size_t at = line.find(prefix);
    if (at == std::string::npos) return "";
    std::string url = line.substr(at + prefix.size());
    return url.substr(0, url.find_first_of("\r\n"));
  }

  pid_t pid_ = -1;
  std::string url_;
};

class ReferenceServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(ServerBinary())) GTEST_SKIP() << ServerBinary() << " not built";
  }

  static std::unique_ptr<CurlTransport> Make(const std::string& url, bool with_key = true) {
    TransportOptions options;
    options.base_url = url;
    if (with_key) options.api_key = Secret(kKey);
    options.timeout = seconds(5);
    auto transport = CurlTransport::Create(options);
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    return std::move(transport).value();
  }

  static Response Run(CurlTransport& transport, Endpoint endpoint, std::string path,
                      std::string body = "") {
    Request request;
    request.endpoint = endpoint;
    request.path = std::move(path);
    request.body = std::move(body);
    if (endpoint == Endpoint::kSubmit) request.idempotency_key = "ref-test-1";
    transport.Start(request);
    const auto deadline = std::chrono::steady_clock::now() + seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      auto done = transport.Poll(milliseconds(50));
      if (!done.empty()) return done.front();
    }
    ADD_FAILURE() << "no response";
    return {};
  }

  static std::string Body() {
    GenerateInput input;
    input.prompt = "Translate this Cython code to equivalent pure Python.";
    input.source_code = "cdef int add(int a, int b):\n    return a + b\n";
    input.source_id = "entry-1";
    input.batch_id = "batch-1";
    return BuildGenerateBody(input);
  }
};

TEST_F(ReferenceServerTest, AsyncSubmitPollAndFetch) {
  ServerProcess server({"--port", "0", "--quiet", "--delay", "fixed:0ms"});
  ASSERT_FALSE(server.url().empty());
  auto transport = Make(server.url());

  Response submitted = Run(*transport, Endpoint::kSubmit, std::string(kGeneratePath), Body());
  ASSERT_EQ(submitted.transport, TransportError::kNone) << submitted.error;
  ASSERT_EQ(submitted.http_status, 200) << submitted.body;
  auto accepted = ParseSubmitResponse(submitted.body);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  ASSERT_TRUE(std::holds_alternative<SubmitAccepted>(*accepted));
  const std::string id = std::get<SubmitAccepted>(*accepted).request_id;
  ASSERT_TRUE(IsAcceptableRequestId(id)) << id;

  JobStatus status = JobStatus::kPending;
  for (int i = 0; i < 200 && status != JobStatus::kCompleted && status != JobStatus::kFailed; ++i) {
    Response polled = Run(*transport, Endpoint::kStatus, StatusPath(id));
    ASSERT_EQ(polled.http_status, 200) << polled.body;
    auto parsed = ParseStatusResponse(polled.body);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    status = parsed->status;
    if (status != JobStatus::kCompleted) transport->Poll(milliseconds(20));
  }
  ASSERT_EQ(status, JobStatus::kCompleted);

  Response fetched = Run(*transport, Endpoint::kResult, ResultPath(id));
  ASSERT_EQ(fetched.http_status, 200) << fetched.body;
  auto result = ParseResultResponse(fetched.body);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->status, JobStatus::kCompleted);
  ASSERT_TRUE(result->python.has_value());
  EXPECT_FALSE(result->python->empty());
}

TEST_F(ReferenceServerTest, SyncSubmitReturnsTheResult) {
  ServerProcess server({"--port", "0", "--quiet", "--mode", "sync", "--delay", "fixed:0ms"});
  ASSERT_FALSE(server.url().empty());
  auto transport = Make(server.url());
  Response r = Run(*transport, Endpoint::kSubmit, std::string(kGeneratePath), Body());
  ASSERT_EQ(r.http_status, 200) << r.error << r.body;
  auto parsed = ParseSubmitResponse(r.body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ResultResponse>(*parsed));
  EXPECT_TRUE(std::get<ResultResponse>(*parsed).python.has_value());
}

TEST_F(ReferenceServerTest, ErrorsCarryReadableDetail) {
  ServerProcess server({"--port", "0", "--quiet"});
  ASSERT_FALSE(server.url().empty());
  auto keyless = Make(server.url(), /*with_key=*/false);
  Response unauthorized = Run(*keyless, Endpoint::kSubmit, std::string(kGeneratePath), Body());
  EXPECT_EQ(unauthorized.http_status, 401);
  EXPECT_FALSE(ParseErrorDetail(unauthorized.body).empty());

  auto transport = Make(server.url());
  Response invalid =
      Run(*transport, Endpoint::kSubmit, std::string(kGeneratePath), R"({"prompt":1})");
  EXPECT_EQ(invalid.http_status, 422);
  EXPECT_NE(ParseErrorDetail(invalid.body).find("prompt"), std::string::npos) << invalid.body;

  Response missing = Run(*transport, Endpoint::kStatus, StatusPath("no-such-job"));
  EXPECT_EQ(missing.http_status, 404);
}

// The chat protocol through the real transport: the rate-limit headers
// arrive in Response::limit_headers, the reply parses, the model list checks.
TEST_F(ReferenceServerTest, OpenAiModeThroughTheTransport) {
  ServerProcess server({"--port", "0", "--quiet", "--protocol", "openai", "--rpm-limit", "10",
                        "--tpm-limit", "100000", "--model", "cnake-7b"});
  ASSERT_FALSE(server.url().empty());
  ASSERT_NE(server.url().find("/v1"), std::string::npos) << server.url();
  OpenAiProtocolOptions options;
  options.model = "cnake-7b";
  options.max_tokens = 500;
  options.prompt_template = "Translate.";
  auto protocol = MakeOpenAiProtocol(options);
  auto transport = Make(server.url());

  Response models = Run(*transport, Endpoint::kHealth, protocol->HealthPath());
  ASSERT_EQ(models.http_status, 200) << models.body;
  EXPECT_TRUE(protocol->CheckHealth(models.body).ok());

  SubmitInput input;
  input.entry_id = "e1";
  input.code = "cdef int add(int a, int b):\n    return a + b\n";
  Request request = protocol->BuildSubmit(input);
  transport->Start(request);
  std::vector<Response> done;
  for (int i = 0; i < 300 && done.empty(); ++i) done = transport->Poll(milliseconds(50));
  ASSERT_EQ(done.size(), 1u);
  const Response& r = done.front();
  ASSERT_EQ(r.http_status, 200) << r.error << r.body;
  auto parsed = protocol->ParseSubmit(r.body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ResultResponse& result = std::get<ResultResponse>(*parsed);
  EXPECT_EQ(result.status, JobStatus::kCompleted);
  EXPECT_NE(result.python->find("def add"), std::string::npos) << *result.python;
  EXPECT_GT(result.usage.prompt_tokens.value_or(0), 0);
  std::map<std::string, std::string> headers(r.limit_headers.begin(), r.limit_headers.end());
  EXPECT_EQ(headers["x-ratelimit-remaining-requests"], "9");
  EXPECT_EQ(headers["x-ratelimit-reset-requests"], "6s");
  EXPECT_FALSE(headers["x-ratelimit-remaining-tokens"].empty());
  EXPECT_FALSE(headers["x-ratelimit-reset-tokens"].empty());
  EXPECT_EQ(headers.count("x-ratelimit-limit-requests"), 0u);  // not one the client reads
}

TEST_F(ReferenceServerTest, TlsIsVerifiedUnlessInsecure) {
  cnake::testing::TempDir dir;
  const std::string cert = dir.File("cert.pem");
  const std::string key = dir.File("key.pem");
  auto made = cnake::testing::RunProcess(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
       "/CN=localhost", "-days", "1", "-keyout", key, "-out", cert},
      {{"PATH", "/usr/bin:/bin"}});
  if (made.exit_code != 0) GTEST_SKIP() << "openssl could not make a certificate: " << made.err;
  ServerProcess server({"--port", "0", "--quiet", "--tls-cert", cert, "--tls-key", key});
  ASSERT_FALSE(server.url().empty());
  ASSERT_EQ(server.url().rfind("https://", 0), 0u) << server.url();

  auto verifying = Make(server.url());
  Response rejected = Run(*verifying, Endpoint::kHealth, std::string(kHealthPath));
  EXPECT_EQ(rejected.transport, TransportError::kTls) << rejected.error;

  TransportOptions options;
  options.base_url = server.url();
  options.insecure = true;
  auto insecure = CurlTransport::Create(options);
  ASSERT_TRUE(insecure.ok());
  Response accepted = Run(**insecure, Endpoint::kHealth, std::string(kHealthPath));
  EXPECT_EQ(accepted.transport, TransportError::kNone) << accepted.error;
  EXPECT_EQ(accepted.http_status, 200);
}

}  // namespace
}  // namespace cnake::api
