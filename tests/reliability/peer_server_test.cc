// The client against an independent implementation of the API contract: the
// FastAPI peer (tools/fastapi_peer), not our reference server. What it has
// that ours lacks: uvicorn closing idle connections, 202 answers, no etas,
// 429s whose Retry-After is an HTTP date, /health without authentication.
// The peer's request log is the ground truth, read by the same harness.
#include <signal.h>

#include <chrono>
#include <thread>

#include "harness.h"
#include "testing/child_process.h"

namespace cnake::reliability {
namespace {

using testing::PeerServer;

constexpr const char* kKey = "peer-key-5e0c";

class PeerServerTest : public ReliabilityTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(PeerServer::Available())
        << PeerServer::kPython << " cannot import fastapi and uvicorn: run scripts/bootstrap.sh";
    default_polling_ = true;
  }
  int Lines(const std::string& endpoint, int status) const {
    int n = 0;
    for (const auto& l : ReadLog()) n += l.endpoint == endpoint && l.j.value("status", 0) == status;
    return n;
  }
};

// Jobs with etas, answered 202, on connections uvicorn drops after a second
// idle; the run is killed while jobs are out and resumed: every entry ends
// with exactly the Python the peer sent, from one job.
TEST_F(PeerServerTest, KillNineThenResumeLosesAndDuplicatesNothing) {
  PeerServer peer({"--latency", "uniform:0.2,0.9", "--eta", "exact", "--post-status", "202",
                   "--keep-alive", "1", "--key", kKey, "--request-log", Log()});
  ImportEntries(48);
  const std::map<std::string, std::string> key = {{"CNAKE_API_KEY", kKey}};
  auto child =
      Background({"process", "--batch-size", "48", "--max-concurrent", "8", "--progress", "none"},
                 peer.url(), key);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Lines("generate", 202) < 12 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(Lines("generate", 202), 12) << "the run never got going";
  child->Signal(SIGKILL);
  ASSERT_EQ(child->Wait(), 128 + SIGKILL);
  const std::string batch = Query("SELECT id FROM batch_jobs");
  ASSERT_FALSE(batch.empty());
  auto resumed = Client({"resume", "--batch-id", batch, "--progress", "none"}, peer.url(), key);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 48u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  ExpectResultsMatchServerLog(rows);
  ExpectOneKeyAndAtMostOneJobPerEntry();
}

// A wrong key is refused at the start-up check (the peer's /health, as the
// contract says, takes none). Then, with the right key: no etas, and a rate
// limit below what the client asks for, answered with 429 and an HTTP-date
// Retry-After; the run waits as told, fails nothing for being throttled (a
// 429 spends no retry) and pays for no job twice.
TEST_F(PeerServerTest, AWrongKeyClaimsNothingAndHttpDateRetryAftersCostNoSecondJob) {
  PeerServer peer({"--latency", "fixed:0.6", "--eta", "none", "--rate-limit", "12", "--keep-alive",
                   "1", "--key", kKey, "--request-log", Log()});
  ImportEntries(24);
  auto refused =
      Client({"process", "--progress", "none"}, peer.url(), {{"CNAKE_API_KEY", "not-the-key"}});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_NE(refused.err.find("authentication failed (HTTP 401)"), std::string::npos) << refused.err;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
  EXPECT_EQ(Lines("generate", 401), 0);

  auto r = Client({"process", "--batch-size", "24", "--max-concurrent", "16", "--progress", "none"},
                  peer.url(), {{"CNAKE_API_KEY", kKey}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(Lines("generate", 429) + Lines("status", 429) + Lines("results", 429), 0)
      << "the peer's rate limit was never reached: the test shows nothing";
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 24u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row.status, "completed") << id;
  ExpectResultsMatchServerLog(rows);
  ExpectOneKeyAndAtMostOneJobPerEntry();
}

}  // namespace
}  // namespace cnake::reliability
