// CurlTransport against real sockets on 127.0.0.1: a scripted server
// (test_server.h) sends exactly the bytes each test needs.
#include "api/curl_transport.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "api/api_paths.h"
#include "api/test_server.h"

namespace cnake::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Connection;
using testing::HttpResponse;
using testing::ScriptedServer;

constexpr char kKey[] = "sk-test-0123456789-SECRET";

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) {
      unsetenv(name);
    }
  }

  static TransportOptions Options(const ScriptedServer& server) {
    TransportOptions options;
    options.base_url = server.url() + "/api";
    options.api_key = Secret(kKey);
    options.timeout = seconds(5);
    options.connect_timeout = seconds(2);
    options.low_speed_limit = 0;
    options.max_response_bytes = 1 << 20;
    return options;
  }

  static std::unique_ptr<CurlTransport> Make(TransportOptions options) {
    auto transport = CurlTransport::Create(std::move(options));
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    return std::move(transport).value();
  }

  // Polls until `count` exchanges finished; the deadline only guards against a
  // hang, it is not what the test measures.
  static std::vector<Response> Drain(CurlTransport& transport, std::size_t count) {
    std::vector<Response> all;
    const auto deadline = std::chrono::steady_clock::now() + seconds(15);
    while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
      for (Response& r : transport.Poll(milliseconds(50))) all.push_back(std::move(r));
    }
    EXPECT_EQ(all.size(), count) << "exchanges did not finish";
    return all;
  }

  static Response RunOne(CurlTransport& transport, Request request) {
    transport.Start(request);
    auto done = Drain(transport, 1);
    return done.empty() ? Response{} : done.front();
  }

  static Request Get(std::string path, std::uint64_t tag = 1) {
    Request r;
    r.tag = tag;
    r.endpoint = Endpoint::kStatus;
    r.path = std::move(path);
    return r;
  }
};

// Answers every request on a connection with `response`, keeping it alive.
ScriptedServer::Handler Always(std::string response) {
  return [response](Connection& c) {
    while (c.ReadRequest()) {
      if (!c.Send(response)) return;
    }
  };
}

// Records every request (head and body) it serves.
struct Recorder {
  std::mutex mu;
  std::vector<std::string> requests;
  ScriptedServer::Handler Handler(std::string response) {
    return [this, response](Connection& c) {
      while (auto request = c.ReadRequest()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          requests.push_back(*request);
        }
        if (!c.Send(response)) return;
      }
    };
  }
  std::string Last() {
    std::lock_guard<std::mutex> lock(mu);
    return requests.empty() ? "" : requests.back();
  }
};

TEST_F(CurlTransportTest, SequentialRequestsReuseOneConnection) {
  ScriptedServer server(Always(HttpResponse(200, R"({"status":"pending"})")));
  auto transport = Make(Options(server));
  for (int i = 0; i < 5; ++i) {
    Response r = RunOne(*transport, Get("/status/abc", i));
    EXPECT_EQ(r.transport, TransportError::kNone) << r.error;
    EXPECT_EQ(r.http_status, 200);
    EXPECT_EQ(r.tag, static_cast<std::uint64_t>(i));
    EXPECT_EQ(r.body, R"({"status":"pending"})");
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(transport->in_flight(), 0u);
}

TEST_F(CurlTransportTest, ConcurrentRequestsCompleteWithTheirTags) {
  ScriptedServer server([](Connection& c) {
    while (auto request = c.ReadRequest()) {
      // Echo the request line's path so each response is tied to its request.
      const std::size_t start = request->find(' ') + 1;
      const std::string path = request->substr(start, request->find(' ', start) - start);
      if (!c.Send(HttpResponse(200, path))) return;
    }
  });
  TransportOptions options = Options(server);
  options.max_connections = 4;
  auto transport = Make(options);
  for (std::uint64_t i = 0; i < 12; ++i)
    transport->Start(Get("/status/job" + std::to_string(i), i));
  EXPECT_EQ(transport->in_flight(), 12u);
  auto done = Drain(*transport, 12);
  std::vector<bool> seen(12, false);
  for (const Response& r : done) {
    ASSERT_LT(r.tag, 12u);
    EXPECT_EQ(r.transport, TransportError::kNone) << r.error;
    EXPECT_EQ(r.body, "/api/status/job" + std::to_string(r.tag));
    seen[r.tag] = true;
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 12);
  EXPECT_LE(server.connections(), 4);
}

// A chat completion can take minutes, so concurrent POSTs over plain http
// must each go out at once on a connection of their own, not wait for the
// first answer to learn whether the server multiplexes (CURLOPT_PIPEWAIT
// does that; the token budget counts each request from its send). The
// server holds every answer until all the requests have arrived, or 3 s.
TEST_F(CurlTransportTest, ConcurrentPostsOverPlainHttpGoOutBeforeAnyAnswer) {
  constexpr int kRequests = 4;
  std::mutex mu;
  std::condition_variable all_arrived;
  int arrived = 0;
  ScriptedServer server([&](Connection& c) {
    while (c.ReadRequest()) {
      std::unique_lock<std::mutex> lock(mu);
      ++arrived;
      all_arrived.notify_all();
      all_arrived.wait_for(lock, seconds(3), [&] { return arrived >= kRequests; });
      const std::string seen = std::to_string(arrived);
      lock.unlock();
      if (!c.Send(HttpResponse(200, seen))) return;
    }
  });
  TransportOptions options = Options(server);
  options.max_connections = kRequests;
  auto transport = Make(options);
  for (std::uint64_t i = 0; i < kRequests; ++i) {
    Request post;
    post.tag = i;
    post.endpoint = Endpoint::kSubmit;
    post.path = std::string(kGeneratePath);
    post.body = R"({"prompt":"p"})";
    transport->Start(post);
  }
  for (const Response& r : Drain(*transport, kRequests)) {
    EXPECT_EQ(r.transport, TransportError::kNone) << r.error;
    EXPECT_EQ(r.body, std::to_string(kRequests))
        << "requests that had arrived when request " << r.tag << " was answered";
  }
}

TEST_F(CurlTransportTest, ErrorStatusKeepsBody) {
  ScriptedServer server(Always(HttpResponse(503, R"({"detail":"down"})")));
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/health"));
  EXPECT_EQ(r.transport, TransportError::kNone);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.body, R"({"detail":"down"})");
}

// Streams `total` bytes of 'x' after `head`, stopping when the client leaves.
void Stream(Connection& c, const std::string& head, std::size_t total, bool chunked) {
  if (!c.ReadRequest() || !c.Send(head)) return;
  const std::string block(64 * 1024, 'x');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", block.size());
  for (std::size_t sent = 0; sent < total; sent += block.size()) {
    if (chunked && !c.Send(size_line)) return;
    if (!c.Send(block)) return;
    if (chunked && !c.Send("\r\n")) return;
  }
}

TEST_F(CurlTransportTest, DeclaredOversizedBodyIsTooLarge) {
  constexpr std::size_t kFifty = 50u << 20;
  ScriptedServer server([&](Connection& c) {
    Stream(c, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kFifty) + "\r\n\r\n", kFifty,
           false);
  });
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/results/big"));
  EXPECT_EQ(r.transport, TransportError::kTooLarge) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(CurlTransportTest, ChunkedOversizedBodyIsStoppedAtTheCap) {
  ScriptedServer server([&](Connection& c) {
    Stream(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 50u << 20, true);
  });
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/results/big"));
  EXPECT_EQ(r.transport, TransportError::kTooLarge) << r.error;
  EXPECT_TRUE(r.body.empty());
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST_F(CurlTransportTest, GzipBodyIsDecoded) {
  const std::string json = R"({"status":"completed","generated_code":{"python":"x = 1\n"}})";
  ScriptedServer server(Always(HttpResponse(200, Gzip(json), "Content-Encoding: gzip\r\n")));
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/results/a"));
  EXPECT_EQ(r.transport, TransportError::kNone) << r.error;
  EXPECT_EQ(r.body, json);
}

TEST_F(CurlTransportTest, GzipBombIsStoppedAtTheDecodedCap) {
  const std::string bomb = Gzip(std::string(16u << 20, '\0'));  // 16 MiB in about 16 KiB
  ASSERT_LT(bomb.size(), 1u << 20);  // the compressed body alone is under the cap
  ScriptedServer server(Always(HttpResponse(200, bomb, "Content-Encoding: gzip\r\n")));
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/results/bomb"));
  EXPECT_EQ(r.transport, TransportError::kTooLarge) << r.error;
}

TEST_F(CurlTransportTest, RedirectIsReportedAndNotFollowed) {
  ScriptedServer elsewhere(Always(HttpResponse(200, "{}")));
  ScriptedServer server(
      Always(HttpResponse(302, "", "Location: " + elsewhere.url() + "/steal\r\n")));
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/status/a"));
  EXPECT_EQ(r.transport, TransportError::kRedirect);
  EXPECT_EQ(r.http_status, 302);
  EXPECT_NE(r.error.find("302"), std::string::npos) << r.error;
  EXPECT_EQ(elsewhere.connections(), 0);
}

TEST_F(CurlTransportTest, ClosedPortIsConnectRefused) {
  int port;
  {
    ScriptedServer probe(Always(""));
    port = probe.port();
  }  // closed: nothing listens there now
  TransportOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port) + "/api";
  auto transport = Make(options);
  Response r = RunOne(*transport, Get("/health"));
  EXPECT_EQ(r.transport, TransportError::kConnectRefused) << r.error;
  EXPECT_EQ(r.http_status, 0);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(CurlTransportTest, SilentServerTimesOut) {
  ScriptedServer server([](Connection& c) {
    c.ReadRequest();
    c.WaitForClose();
  });
  TransportOptions options = Options(server);
  options.timeout = milliseconds(300);
  auto transport = Make(options);
  Response r = RunOne(*transport, Get("/status/a"));
  EXPECT_EQ(r.transport, TransportError::kTimeout) << r.error;
  EXPECT_EQ(r.http_status, 0);
}

TEST_F(CurlTransportTest, SlowDripStalls) {
  ScriptedServer server([](Connection& c) {
    if (!c.ReadRequest() || !c.Send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")) return;
    for (int i = 0; i < 100 && c.Send("x"); ++i) std::this_thread::sleep_for(milliseconds(100));
  });
  TransportOptions options = Options(server);
  options.timeout = seconds(10);
  options.low_speed_limit = 1000;  // bytes per second; the drip is 10
  options.low_speed_time = seconds(1);
  auto transport = Make(options);
  Response r = RunOne(*transport, Get("/results/a"));
  EXPECT_EQ(r.transport, TransportError::kStalled) << r.error;
}

TEST_F(CurlTransportTest, ResetMidBodyIsConnectionReset) {
  ScriptedServer server([](Connection& c) {
    if (!c.ReadRequest()) return;
    c.Send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'x'));
    std::this_thread::sleep_for(milliseconds(50));
    c.ResetOnClose();
  });
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/results/a"));
  EXPECT_EQ(r.transport, TransportError::kConnectionReset) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(CurlTransportTest, TruncatedBodyIsConnectionReset) {
  ScriptedServer server([](Connection& c) {
    if (c.ReadRequest())
      c.Send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'x'));
  });
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/results/a"));
  EXPECT_EQ(r.transport, TransportError::kConnectionReset) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(CurlTransportTest, EmptyReplyIsConnectionReset) {
  ScriptedServer server([](Connection& c) { c.ReadRequest(); });
  auto transport = Make(Options(server));
  Response r = RunOne(*transport, Get("/status/a"));
  EXPECT_EQ(r.transport, TransportError::kConnectionReset) << r.error;
}

TEST_F(CurlTransportTest, TlsAgainstPlainServerIsAHandshakeError) {
  ScriptedServer server([](Connection& c) { c.Send("HTTP/1.1 400 Bad Request\r\n\r\n"); });
  TransportOptions options = Options(server);
  options.base_url = "https://127.0.0.1:" + std::to_string(server.port()) + "/api";
  auto transport = Make(options);
  Response r = RunOne(*transport, Get("/health"));
  EXPECT_EQ(r.transport, TransportError::kTlsHandshake) << r.error;
}

TEST_F(CurlTransportTest, RetryAfterIsCapturedPerResponse) {
  int served = 0;
  ScriptedServer server([&](Connection& c) {
    while (c.ReadRequest()) {
      const bool first = served++ == 0;
      if (!c.Send(first ? HttpResponse(429, "{}", "rEtRy-AfTeR:   17 \r\n")
                        : HttpResponse(200, "{}")))
        return;
    }
  });
  auto transport = Make(Options(server));
  Response throttled = RunOne(*transport, Get("/status/a"));
  EXPECT_EQ(throttled.http_status, 429);
  ASSERT_TRUE(throttled.retry_after.has_value());
  EXPECT_EQ(*throttled.retry_after, "17");
  Response ok = RunOne(*transport, Get("/status/a"));  // the same pooled handle
  EXPECT_EQ(ok.http_status, 200);
  EXPECT_FALSE(ok.retry_after.has_value());
}

TEST_F(CurlTransportTest, PostSendsBodyKeyAndHeaders) {
  Recorder recorder;
  ScriptedServer server(recorder.Handler(HttpResponse(200, R"({"request_id":"r1"})")));
  auto transport = Make(Options(server));
  Request post;
  post.endpoint = Endpoint::kSubmit;
  post.path = std::string(kGeneratePath);
  post.body = R"({"prompt":"p"})";
  post.idempotency_key = "entry-42-attempt-1";
  Response r = RunOne(*transport, post);
  EXPECT_EQ(r.transport, TransportError::kNone) << r.error;
  const std::string sent = recorder.Last();
  EXPECT_EQ(sent.rfind("POST /api/generate HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find(std::string("\r\nAuthorization: Bearer ") + kKey + "\r\n"),
            std::string::npos);
  EXPECT_NE(sent.find("\r\nIdempotency-Key: entry-42-attempt-1\r\n"), std::string::npos);
  EXPECT_NE(sent.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(sent.find("\r\nAccept: application/json\r\n"), std::string::npos);
  EXPECT_NE(sent.find("\r\nUser-Agent: cnake-charmer-client/0.1\r\n"), std::string::npos);
  EXPECT_EQ(sent.find("Expect:"), std::string::npos);
  EXPECT_EQ(sent.substr(sent.size() - post.body.size()), post.body);
}

TEST_F(CurlTransportTest, GetSendsNoBodyHeadersAndNoKeyWhenUnset) {
  Recorder recorder;
  ScriptedServer server(recorder.Handler(HttpResponse(200, "{}")));
  TransportOptions options = Options(server);
  options.api_key = Secret();
  auto transport = Make(options);
  Request get = Get(StatusPath("r1"));
  get.idempotency_key = "ignored-on-get";
  RunOne(*transport, get);
  const std::string sent = recorder.Last();
  EXPECT_EQ(sent.rfind("GET /api/status/r1 HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_EQ(sent.find("Authorization"), std::string::npos);
  EXPECT_EQ(sent.find("Content-Type"), std::string::npos);
  EXPECT_EQ(sent.find("Idempotency-Key"), std::string::npos);
}

TEST_F(CurlTransportTest, VerboseOutputRedactsTheKey) {
  Recorder recorder;
  ScriptedServer server(
      recorder.Handler(HttpResponse(200, "{}", std::string("X-Echo: ") + kKey + "\r\n")));
  std::string log;
  TransportOptions options = Options(server);
  options.verbose = true;
  options.debug_sink = [&log](std::string_view line) { log.append(line).append("\n"); };
  auto transport = Make(options);
  Request post;
  post.endpoint = Endpoint::kSubmit;
  post.path = "/generate";
  post.body = "{}";
  RunOne(*transport, post);
  EXPECT_NE(recorder.Last().find(kKey), std::string::npos);  // it was sent...
  EXPECT_NE(log.find("Authorization: Bearer ***"), std::string::npos) << log;
  EXPECT_NE(log.find("POST /api/generate"), std::string::npos) << log;
  EXPECT_EQ(log.find(kKey), std::string::npos) << log;  // ...but never logged
}

TEST_F(CurlTransportTest, UnsafeRequestsFailWithoutTouchingTheNetwork) {
  ScriptedServer server(Always(HttpResponse(200, "{}")));
  auto transport = Make(Options(server));
  Request injected;
  injected.tag = 7;
  injected.endpoint = Endpoint::kSubmit;
  injected.path = "/generate";
  injected.idempotency_key = "k\r\nX-Evil: 1";
  transport->Start(injected);
  transport->Start(Get("/status/a b", 8));
  transport->Start(Get("status/relative", 9));
  EXPECT_EQ(transport->in_flight(), 3u);
  auto done = Drain(*transport, 3);
  for (const Response& r : done) {
    EXPECT_EQ(r.transport, TransportError::kOther);
    EXPECT_FALSE(r.error.empty());
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST_F(CurlTransportTest, WakeupInterruptsPoll) {
  TransportOptions options;
  options.base_url = "http://127.0.0.1:1/api";
  auto transport = Make(options);
  const auto start = std::chrono::steady_clock::now();
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(100));
    transport->Wakeup();
  });
  auto done = transport->Poll(seconds(60));
  waker.join();
  EXPECT_TRUE(done.empty());
  // Generous: without the wakeup, Poll would block for a minute.
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(30));
}

TEST_F(CurlTransportTest, CreateRejectsBadOptions) {
  TransportOptions options;
  options.base_url = "ftp://example.com";
  EXPECT_EQ(CurlTransport::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.base_url = "http://127.0.0.1:8000/api/";
  EXPECT_EQ(CurlTransport::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.base_url = "http://127.0.0.1:8000/api";
  options.api_key = Secret("key\nX-Evil: 1");
  auto bad_key = CurlTransport::Create(options);
  EXPECT_EQ(bad_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_key.status().message().find("X-Evil"), std::string::npos);
}

TEST(TransportOptionsFromConfigTest, CopiesConfig) {
  ApiConfig api;
  api.base_url = "https://api.example.com/v1";
  api.api_key = Secret("k");
  api.timeout = 2.5;
  api.connect_timeout = 0.5;
  TransportOptions options = TransportOptionsFromConfig(api, 5);
  EXPECT_EQ(options.base_url, api.base_url);
  EXPECT_EQ(options.api_key.reveal(), "k");
  EXPECT_EQ(options.timeout, milliseconds(2500));
  EXPECT_EQ(options.connect_timeout, milliseconds(500));
  EXPECT_GT(options.max_connections, 5);
}

}  // namespace
}  // namespace cnake::api
