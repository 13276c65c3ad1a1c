// Promise 7: hostile networks between the client and the server
// (tools/hostile_proxy). Every request ends within its timeout and the batch
// completes, with the same guarantees as on a clean network.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness.h"

namespace cnake::reliability {
namespace {

using testing::ChildProcess;
using testing::ReferenceServer;

// hostile_proxy in front of a server; stopped with SIGTERM.
class HostileProxy {
 public:
  HostileProxy(int upstream_port, std::vector<std::string> args, const std::string& out_path) {
    std::vector<std::string> argv = {kProxy, "--upstream",
                                     "127.0.0.1:" + std::to_string(upstream_port)};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, out_path,
                                              out_path + ".err");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::ifstream in(out_path);
      std::string line;
      if (std::getline(in, line) && line.rfind("listening on 127.0.0.1:", 0) == 0) {
        port_ = std::stoi(line.substr(23));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    }
  }
  ~HostileProxy() {
    process_->Signal(SIGTERM);
    process_->Wait();
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

struct NetCase {
  std::string name;
  std::vector<std::string> args;
};

void PrintTo(const NetCase& c, std::ostream* os) { *os << c.name; }

class HostileNetworkTest : public ReliabilityTest, public ::testing::WithParamInterface<NetCase> {};

TEST_P(HostileNetworkTest, BatchCompletesAndEveryRequestEndsWithinItsTimeout) {
  const NetCase& c = GetParam();
  ReferenceServer server({"--request-log", Log(), "--delay", "fixed:30ms"});
  HostileProxy proxy(server.port(), c.args, dir_.File("proxy.out"));
  ASSERT_GT(proxy.port(), 0);
  const int entries = 3 * Scale();
  ImportEntries(entries);
  constexpr int kTimeoutS = 4;
  auto r =
      Client({"process", "--batch-size", std::to_string(entries), "--max-concurrent", "3",
              "--progress", "none"},
             "http://127.0.0.1:" + std::to_string(proxy.port()) + "/api",
             {{"CNAKE_API_TIMEOUT", std::to_string(kTimeoutS)}, {"CNAKE_API_MAX_RETRIES", "10"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rows = Rows();
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  ExpectResultsMatchServerLog(rows);
  ExpectOneKeyAndAtMostOneJobPerEntry();
  // The client's own record of each exchange: none outlived the timeout (plus
  // scheduling slack on a loaded machine; the bound is enforced by libcurl).
  const std::string slowest =
      Query("SELECT coalesce(max(latency_ms), 0)::BIGINT::VARCHAR FROM api_requests");
  EXPECT_LE(std::stol(slowest), kTimeoutS * 1000 + 1500);
  RecordProperty("slowest_request_ms", slowest);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, HostileNetworkTest,
    ::testing::Values(
        NetCase{"latency", {"--mode", "latency", "--latency-ms", "300"}},
        NetCase{"bandwidth_1kBps", {"--mode", "bandwidth", "--bandwidth", "1024"}},
        NetCase{"single_bytes", {"--mode", "bytes"}},
        NetCase{"slow_close", {"--mode", "slow_close", "--close-delay-ms", "500"}},
        // The first connection is the pre-flight /health check (3 tries of
        // its own, then exit 4: BlackHoleTest); the batch's start after it.
        NetCase{"hang_first", {"--schedule", "pass,hang,hang", "--mode", "pass"}},
        NetCase{"reset_first", {"--schedule", "pass,reset,reset,reset", "--mode", "pass"}},
        NetCase{"reset_mid_first", {"--schedule", "pass,reset_mid,reset_mid", "--mode", "pass"}},
        NetCase{"mixed",
                {"--schedule", "pass,latency,hang,bytes,reset,reset_mid,bandwidth,slow_close,hang",
                 "--mode", "bytes"}}),
    [](const auto& info) { return info.param.name; });

// A network that never answers: the client gives up in bounded time with
// exit 4 ("API unreachable") instead of waiting forever.
class BlackHoleTest : public ReliabilityTest {};

TEST_F(BlackHoleTest, EndsTheRunInBoundedTime) {
  ReferenceServer server({});
  HostileProxy proxy(server.port(), {"--mode", "hang"}, dir_.File("proxy.out"));
  ImportEntries(2);
  auto child = Background({"process", "--progress", "none"},
                          "http://127.0.0.1:" + std::to_string(proxy.port()) + "/api",
                          {{"CNAKE_API_TIMEOUT", "1"}, {"CNAKE_API_MAX_RETRIES", "1"}});
  int code = -1;
  for (int i = 0; i < 600 && !child->TryWait(&code); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(child->running()) << "still running after 60 s";
  EXPECT_EQ(code, 4);
}

}  // namespace
}  // namespace cnake::reliability
