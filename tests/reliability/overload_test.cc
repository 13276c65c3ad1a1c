// Promises 5 (outage and overload) and 6 (bounded resources), measured from
// the server's side: its request log and /admin/stats.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness.h"
#include "scheduler/circuit_breaker.h"

namespace cnake::reliability {
namespace {

using nlohmann::json;
using testing::ReferenceServer;

int EnvInt(const char* name, int fallback) {
  const char* v = getenv(name);
  return v != nullptr && atoi(v) > 0 ? atoi(v) : fallback;
}

class OverloadTest : public ReliabilityTest {};

// An outage of T seconds (CI: 10; soak: CNAKE_TEST_OUTAGE_S=60) in the middle
// of a batch: no entry fails, and the failing requests stay within the
// breaker's bound (src/scheduler/README.md, "Request bound").
TEST_F(OverloadTest, OutageFailsNothingAndFailingRequestsStayWithinTheBreakerBound) {
  const int outage_s = EnvInt("CNAKE_TEST_OUTAGE_S", 10);
  constexpr int kThreshold = 5, kConcurrent = 4;
  ReferenceServer server({"--delay", "fixed:100ms", "--capacity", "8", "--request-log", Log()});
  const int entries = 60 * Scale();
  ImportEntries(entries);
  auto child = Background(
      {"process", "--batch-size", std::to_string(entries), "--max-concurrent",
       std::to_string(kConcurrent), "--progress", "none"},
      server.url(), {{"CNAKE_PROCESSING_CIRCUIT_BREAKER_THRESHOLD", std::to_string(kThreshold)}});
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_EQ(server.SetScenario(json{{"duration_s", outage_s},
                                    {"endpoints", {{"*", {{"503", 1.0}}}}},
                                    {"params", {{"retry_after_s", 1}}}}
                                   .dump()),
            200);
  EXPECT_EQ(child->Wait(), 0);
  for (const auto& [id, row] : Rows()) EXPECT_EQ(row.status, "completed") << id;
  ExpectOneKeyAndAtMostOneJobPerEntry();
  int failing = 0, probes = 0;
  for (const auto& l : ReadLog()) {
    if (l.j["fault"] != "503") continue;
    ++failing;
    probes += l.endpoint == "health";
  }
  const scheduler::CircuitBreaker model(kThreshold, std::chrono::seconds(1),
                                        std::chrono::seconds(30));
  const long bound =
      kThreshold + kConcurrent - 1 + model.MaxProbesWithin(std::chrono::seconds(outage_s));
  EXPECT_GT(failing, 0);
  EXPECT_LE(failing, bound) << probes << " of them probes";
  RecordProperty("failing_requests", failing);
  RecordProperty("bound", static_cast<int>(bound));
}

// Sustained 429s (Retry-After: 0, so only the AIMD decrease acts) lower the
// request rate to at most half of what it was before.
TEST_F(OverloadTest, SustainedThrottlingAtLeastHalvesTheRequestRate) {
  ReferenceServer server({"--mode", "sync", "--request-log", Log()});
  ImportEntries(300);
  auto child = Background(
      {"process", "--batch-size", "300", "--max-concurrent", "4", "--rpm", "600", "--progress",
       "none"},
      server.url(), {{"CNAKE_PROCESSING_RATE_LIMIT_BURST", "5"}, {"CNAKE_API_MAX_RETRIES", "100"}});
  std::this_thread::sleep_for(std::chrono::seconds(4));
  ASSERT_EQ(server.SetScenario(R"({"duration_s": 6, "endpoints": {"*": {"429": 1.0}},
                                   "params": {"retry_after_s": 0, "retry_after_form": "seconds"}})"),
            200);
  std::this_thread::sleep_for(std::chrono::seconds(7));
  child->Signal(SIGINT);
  EXPECT_EQ(child->Wait(), 130);
  std::vector<long> before, during;
  long first_429 = -1, last_429 = -1;
  for (const auto& l : ReadLog()) {
    const long t = l.j["mono_ms"];
    if (l.j["status"] == 429) {
      if (first_429 < 0) first_429 = t;
      last_429 = t;
    }
  }
  ASSERT_GT(first_429, 0);
  for (const auto& l : ReadLog()) {
    const long t = l.j["mono_ms"];
    if (t < first_429) before.push_back(t);
    // The first second after the first 429: requests already admitted.
    if (t >= first_429 + 1000 && t <= last_429) during.push_back(t);
  }
  ASSERT_GT(before.size(), 10u);
  const double rate_before = (before.size() - 1) * 1000.0 / (before.back() - before.front());
  const double rate_during = during.size() * 1000.0 / (last_429 - first_429 - 1000);
  EXPECT_LE(rate_during, rate_before / 2) << "before " << rate_before << "/s";
  RecordProperty("rate_before_per_s", static_cast<int>(rate_before * 100));
  RecordProperty("rate_during_per_s", static_cast<int>(rate_during * 100));
}

// The concurrency cap as the server sees it, under slow jobs, lost jobs and
// 503s (resubmissions must not exceed the cap either).
TEST_F(OverloadTest, InFlightJobsNeverExceedTheCap) {
  ReferenceServer server({"--delay", "uniform:20ms,200ms", "--capacity", "16", "--seed", "9"});
  ASSERT_EQ(server.SetScenario(R"({"endpoints": {"generate": {"job_lost": 0.1, "503": 0.05},
                                                  "status": {"500": 0.05}}})"),
            200);
  const int entries = 80 * Scale();
  ImportEntries(entries);
  auto r = Client({"process", "--batch-size", std::to_string(entries), "--max-concurrent", "3",
                   "--progress", "none"},
                  server.url(), {{"CNAKE_API_MAX_RETRIES", "30"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = json::parse(server.Stats());
  EXPECT_LE(stats["max_outstanding_jobs"].get<int>(), 3) << stats.dump();
  EXPECT_GE(stats["max_outstanding_jobs"].get<int>(), 2) << stats.dump();
}

// Peak RSS does not grow with the number of entries (CI: 1,000 vs 4,000;
// soak: CNAKE_TEST_MEMORY_LARGE=100000).
TEST_F(OverloadTest, PeakMemoryDoesNotGrowWithTheNumberOfEntries) {
  const int small = 1000, large = EnvInt("CNAKE_TEST_MEMORY_LARGE", 4000);
  ReferenceServer server({"--mode", "sync"});
  std::map<int, long> rss;
  for (int n : {small, large}) {
    std::filesystem::remove(Db());
    ImportEntries(n);
    auto r = ClientMeasured({"process", "--batch-size", std::to_string(n), "--max-concurrent", "16",
                             "--rpm", "1000000", "--progress", "none"},
                            server.url(), {{"CNAKE_PROCESSING_RATE_LIMIT_BURST", "1000"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), std::to_string(n));
    rss[n] = r.max_rss_kb;
  }
  RecordProperty("rss_kb_small", static_cast<int>(rss[small]));
  RecordProperty("rss_kb_large", static_cast<int>(rss[large]));
  // A few MB: the batch itself (ids, codes) is loaded per claim group, not held.
  EXPECT_LE(rss[large] - rss[small], 8 * 1024) << rss[small] << " kB vs " << rss[large] << " kB";
}

}  // namespace
}  // namespace cnake::reliability
