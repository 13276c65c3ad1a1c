#include "server/test_support.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cnake::server::testing {
namespace {

struct Sink {
  HttpReply* reply;
  size_t max_body;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->reply->body.size() + size * n > sink->max_body) return 0;  // abort
  sink->reply->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* reply = static_cast<HttpReply*>(user);
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    reply->headers[name] = value;
  }
  return size * n;
}

}  // namespace

nlohmann::json HttpReply::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpReply::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpReply Fetch(const HttpCall& call) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  Sink sink{&reply, call.max_body};
  curl_slist* headers = nullptr;
  for (const std::string& h : call.headers) headers = curl_slist_append(headers, h.c_str());
  if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, call.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  if (call.accept_gzip) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const auto start = std::chrono::steady_clock::now();
  reply.curl_code = curl_easy_perform(curl);
  reply.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  reply.error = error;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

HttpReply Get(const std::string& url, std::vector<std::string> headers) {
  return Fetch(HttpCall{"GET", url, "", std::move(headers)});
}

HttpReply PostJson(const std::string& url, const nlohmann::json& body,
                   std::vector<std::string> headers) {
  return Fetch(HttpCall{"POST", url, body.dump(), std::move(headers)});
}

RawReply RawExchange(int port, const std::string& request, int timeout_ms) {
  RawReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    reply.error = errno;
    close(fd);
    return reply;
  }
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      reply.timed_out = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) == 0) {
      reply.timed_out = true;
      break;
    }
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0) {
      reply.error = errno;
      break;
    }
    if (n == 0) break;
    reply.read_sizes.push_back(static_cast<size_t>(n));
    reply.bytes.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return reply;
}

std::string RawGet(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

TestServer::TestServer(TestServerConfig config)
    : clock(config.fake_clock ? static_cast<Clock*>(&fake_clock) : &system_clock) {
  if (!config.request_log_path.empty()) {
    auto opened = RequestLog::Open(config.request_log_path, clock);
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    log = std::move(opened).value();
  }
  engine =
      std::make_unique<JobEngine>(JobEngine::Options{config.capacity, config.retention}, clock);
  faults = std::make_unique<FaultController>(config.scenario, config.seed, clock);
  if (config.options.threads == ServerOptions().threads) config.options.threads = 32;
  server = std::make_unique<HttpServer>(config.options, engine.get(), faults.get(), log.get());
  Status started = server->Start();
  if (!started.ok()) throw std::runtime_error(started.ToString());
}

TestServer::~TestServer() { server->Stop(); }

std::string TestServer::AdminUrl(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::string TestServer::SubmitJob(const std::string& source, std::vector<std::string> headers) {
  HttpReply reply = PostJson(Url("/generate"), GenerateBody(source), std::move(headers));
  nlohmann::json json = reply.Json();
  if (reply.status != 200 || !json.is_object() || !json.contains("request_id")) {
    throw std::runtime_error("submit failed: " + std::to_string(reply.status) + " " + reply.body);
  }
  return json["request_id"].get<std::string>();
}

nlohmann::json GenerateBody(const std::string& source) {
  return {{"prompt", "Translate this Cython to Python"},
          {"target_languages", {"python"}},
          {"source_language", "cython"},
          {"source_code", source},
          {"metadata", {{"source_id", 7}, {"batch_id", "b1"}}}};
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false));
  }
  return lines;
}

std::string TempPath(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("cnake-server-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace cnake::server::testing
