// Promises 10 (secrets) and 11 (TLS), end to end.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "harness.h"

namespace cnake::reliability {
namespace {

using nlohmann::json;
using testing::ReferenceServer;

const std::string kKey = "canary-key-6b0f2e91d4";

// A listener on a second loopback port that only records what reaches it.
class RecordingListener {
 public:
  RecordingListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~RecordingListener() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  int connections() const { return connections_; }
  bool saw(const std::string& needle) {
    std::lock_guard<std::mutex> lock(mu_);
    return received_.find(needle) != std::string::npos;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      char buf[4096];
      pollfd q{c, POLLIN, 0};
      while (poll(&q, 1, 200) > 0) {
        const ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        std::lock_guard<std::mutex> lock(mu_);
        received_.append(buf, static_cast<std::size_t>(n));
      }
      close(c);
    }
  }
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::string received_;
  std::thread thread_;
};

class SecretsTest : public ReliabilityTest {};

TEST_F(SecretsTest, RedirectToAnotherPortNeverReceivesTheKey) {
  RecordingListener listener;
  ReferenceServer server({"--request-log", Log()}, {{"CNAKE_SERVER_API_KEY", kKey}});
  for (const char* endpoint : {"generate", "status", "results"}) {
    SCOPED_TRACE(endpoint);
    ASSERT_EQ(
        server.SetScenario(json{
            {"endpoints", {{endpoint, {{"redirect", 1.0}}}}},
            {"params", {{"redirect_base", "http://127.0.0.1:" + std::to_string(listener.port())}}}}
                               .dump()),
        200);
    std::filesystem::remove(Db());
    ImportEntries(2);
    auto r = Client({"process", "--batch-size", "2", "--progress", "none"}, server.url(),
                    {{"CNAKE_API_KEY", kKey}});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    for (const auto& [id, row] : Rows()) EXPECT_EQ(row.error_type, "redirect") << id;
    EXPECT_EQ((r.out + r.err).find(kKey), std::string::npos);
  }
  EXPECT_EQ(listener.connections(), 0) << "the client followed a redirect";
  EXPECT_FALSE(listener.saw(kKey));
  // The redirects were really sent (the listener was named in Location).
  int redirects = 0;
  for (const auto& l : ReadLog()) redirects += l.j["status"] == 307;
  EXPECT_GE(redirects, 6);
}

TEST_F(SecretsTest, CommandLineOfTheRunningClientNeverContainsTheKey) {
  ReferenceServer server({"--delay", "fixed:300ms", "--capacity", "2"},
                         {{"CNAKE_SERVER_API_KEY", kKey}});
  ImportEntries(12);
  // Both ways of giving the key: the environment and a 0600 key file.
  const std::string key_file = dir_.File("key");
  std::ofstream(key_file) << kKey << "\n";
  std::filesystem::permissions(
      key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  for (auto extra : std::vector<std::map<std::string, std::string>>{
           {{"CNAKE_API_KEY", kKey}}, {{"CNAKE_API_API_KEY_FILE", key_file}}}) {
    auto child =
        Background({"process", "--batch-size", "6", "--max-concurrent", "2"}, server.url(), extra);
    int samples = 0, code = -1;
    while (!child->TryWait(&code)) {
      std::ifstream in("/proc/" + std::to_string(child->pid()) + "/cmdline");
      std::stringstream s;
      s << in.rdbuf();
      if (!s.str().empty()) ++samples;
      EXPECT_EQ(s.str().find(kKey), std::string::npos);
      EXPECT_EQ(s.str().find("canary"), std::string::npos);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(code, 0);
    EXPECT_GT(samples, 5) << "the client ended before its command line was read";
  }
}

TEST_F(SecretsTest, KeyIsNotAcceptedOnTheCommandLine) {
  auto r = Client({"process", "--api-key", kKey}, "http://127.0.0.1:9/api");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(SecretsTest, KeyFileReadableByOthersDrawsAWarning) {
  const std::string key_file = dir_.File("key");
  std::ofstream(key_file) << kKey << "\n";
  std::filesystem::permissions(key_file, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::owner_write |
                                             std::filesystem::perms::others_read);
  auto r =
      Client({"config", "show"}, "http://127.0.0.1:9/api", {{"CNAKE_API_API_KEY_FILE", key_file}});
  EXPECT_NE(r.err.find("accessible by group or others"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find(kKey), std::string::npos);
}

// TLS: certificates made at test time with openssl(1).
class TlsTest : public ReliabilityTest {
 protected:
  // A self-signed certificate for `host` (DNS and IP SAN when it is an IP).
  void MakeCert(const std::string& host) {
    const std::string san = host == "127.0.0.1" ? "IP:127.0.0.1,DNS:localhost" : "DNS:" + host;
    auto r = testing::RunProcess(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", dir_.File("key.pem"), "-out", dir_.File("cert.pem"), "-subj", "/CN=" + host,
         "-addext", "subjectAltName=" + san},
        {{"PATH", "/usr/bin:/bin"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // A CA (ca.pem) and a certificate for `host` that it signs.
  void MakeCaSignedCert(const std::string& host) {
    const std::string san = host == "127.0.0.1" ? "IP:127.0.0.1,DNS:localhost" : "DNS:" + host;
    const std::vector<std::vector<std::string>> steps = {
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", dir_.File("ca.key"), "-out", dir_.File("ca.pem"), "-subj", "/CN=cnake test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
         "keyUsage=critical,keyCertSign"},
        {"/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
         dir_.File("key.pem"), "-out", dir_.File("req.csr"), "-subj", "/CN=" + host, "-addext",
         "subjectAltName=" + san},
        {"/usr/bin/openssl", "x509", "-req", "-in", dir_.File("req.csr"), "-CA",
         dir_.File("ca.pem"), "-CAkey", dir_.File("ca.key"), "-CAcreateserial", "-days", "2",
         "-copy_extensions", "copy", "-out", dir_.File("cert.pem")},
    };
    for (const auto& argv : steps) {
      auto r = testing::RunProcess(argv, {{"PATH", "/usr/bin:/bin"}});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  // `process` against `server` reached by the name `host`.
  testing::ProcessResult ProcessVia(const std::string& host, const ReferenceServer& server,
                                    const std::map<std::string, std::string>& extra = {}) {
    return Client({"process", "--progress", "none"},
                  "https://" + host + ":" + std::to_string(server.port()) + "/api", extra);
  }
  std::unique_ptr<ReferenceServer> TlsServer() {
    return std::make_unique<ReferenceServer>(std::vector<std::string>{
        "--tls-cert", dir_.File("cert.pem"), "--tls-key", dir_.File("key.pem")});
  }
};

TEST_F(TlsTest, SelfSignedCertificateIsRefusedUnlessInsecureIsExplicit) {
  MakeCert("127.0.0.1");
  auto server = TlsServer();
  ASSERT_EQ(server->url().rfind("https://", 0), 0u) << server->url();
  ImportEntries(2);
  auto r = Client({"process", "--progress", "none"}, server->url());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("api.ca_file (--ca-file)"), std::string::npos) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM processing_errors"), "0");
  auto insecure = Client({"process", "--insecure", "--progress", "none"}, server->url());
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_NE(insecure.err.find("warning: --insecure"), std::string::npos) << insecure.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "2");
}

TEST_F(TlsTest, CertificateForAnotherHostIsRefused) {
  MakeCert("example.invalid");
  auto server = TlsServer();
  ImportEntries(1);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    auto r = ProcessVia(host, *server);
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  }
}

// An https:// URL for a server that speaks plain HTTP: no certificate was
// involved, so the message must not send the user after one.
TEST_F(TlsTest, PlainHttpServerBehindAnHttpsUrlIsExplained) {
  ReferenceServer server({});
  ASSERT_EQ(server.url().rfind("http://", 0), 0u) << server.url();
  ImportEntries(1);
  auto r = ProcessVia("127.0.0.1", server);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("TLS handshake failed before any certificate was checked"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("needs an http:// URL"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("api.ca_file"), std::string::npos) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM processing_errors"), "0");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM cython_entries WHERE batch_id IS NOT NULL"), "0");
}

// api.ca_file trusts a private CA: the same server is refused without it.
TEST_F(TlsTest, CertificateSignedByTheConfiguredCaIsTrusted) {
  MakeCaSignedCert("127.0.0.1");
  auto server = TlsServer();
  ImportEntries(2);
  auto untrusted = Client({"process", "--progress", "none"}, server->url());
  EXPECT_EQ(untrusted.exit_code, 4) << untrusted.err;
  auto r =
      Client({"process", "--progress", "none", "--ca-file", dir_.File("ca.pem")}, server->url());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "2");
}

// With the CA trusted, only the host-name check can refuse this certificate.
TEST_F(TlsTest, HostNameIsVerifiedWhenTheCertificateIsTrusted) {
  MakeCaSignedCert("example.invalid");
  auto server = TlsServer();
  ImportEntries(1);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    auto r = ProcessVia(host, *server, {{"CNAKE_API_CA_FILE", dir_.File("ca.pem")}});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find("host name '" + host + "'"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM processing_errors"), "0");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "0");
}

}  // namespace
}  // namespace cnake::reliability
