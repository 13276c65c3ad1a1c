// Promises 5 (outage and overload) and 6 (bounded resources), measured from
// the server's side: its request log and /admin/stats.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <nlohmann/json.hpp>
#include <thread>

#include "config/config.h"
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

// DuckDB's size syntax as duckdb.memory_limit takes it (KB, MB, GB: powers of
// 1000; KiB, MiB, GiB: of 1024), in kB of 1024 bytes.
long SizeKb(const std::string& size) {
  std::size_t digits = 0;
  const double n = std::stod(size, &digits);
  const std::string unit = size.substr(digits);
  const std::map<std::string, double> kBytes = {{"KB", 1e3},         {"MB", 1e6},
                                                {"GB", 1e9},         {"KiB", 1024.0},
                                                {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024}};
  return static_cast<long>(n * kBytes.at(unit) / 1024);
}

// Promise 6 as issue 21 restated it (docs/reliability.md): peak RSS at most
// duckdb.memory_limit + 96 MiB at any batch size up to 1,000,000 entries, and
// anonymous memory flat after a 60 s warm-up: over any 100 s it moves by at
// most 8 MiB. With the defaults a user runs (only --max-concurrent and --rpm
// set). CI leaves it out (ASan's shadow memory is not the client's); the
// soak runs it at CNAKE_TEST_MEMORY_ENTRIES=1000000, where the windows bite;
// CNAKE_TEST_MEMORY_SERIES=FILE keeps the samples (RssAnon and VmHWM).
TEST_F(OverloadTest, PeakMemoryStaysUnderTheDuckDbLimitPlus96MiBAndAnonMemoryIsFlat) {
  const int n = EnvInt("CNAKE_TEST_MEMORY_ENTRIES", 4000);
  const long limit_kb = SizeKb(Config().duckdb.memory_limit);
  constexpr long kAllowanceKb = 96 * 1024, kDriftKb = 8 * 1024;
  constexpr double kWarmUpS = 60, kWindowS = 100;
  ReferenceServer server({"--mode", "sync"});
  ImportEntries(n);
  auto r = ClientMeasured({"process", "--batch-size", std::to_string(n), "--max-concurrent", "16",
                           "--rpm", "1000000", "--progress", "none"},
                          server.url(), {}, std::chrono::milliseconds(500));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), std::to_string(n));
  RecordProperty("entries", n);
  RecordProperty("peak_rss_kb", static_cast<int>(r.max_rss_kb));
  RecordProperty("bound_kb", static_cast<int>(limit_kb + kAllowanceKb));
  EXPECT_LE(r.max_rss_kb, limit_kb + kAllowanceKb)
      << "duckdb.memory_limit " << Config().duckdb.memory_limit << " = " << limit_kb << " kB";
  // The samples ("seconds RssAnon-kB VmHWM-kB" per line), for the docs' figures.
  if (const char* series = std::getenv("CNAKE_TEST_MEMORY_SERIES")) {
    std::ofstream out(series);
    for (std::size_t i = 0; i < r.anon_kb.size(); ++i) {
      out << r.anon_kb[i].first << " " << r.anon_kb[i].second << " " << r.peak_kb[i] << "\n";
    }
  }
  // When the peak was reached: the claim, the steady state or the end of the run.
  if (!r.peak_kb.empty()) {
    const auto at = std::find(r.peak_kb.begin(), r.peak_kb.end(), r.peak_kb.back());
    RecordProperty("peak_reached_at_s", static_cast<int>(r.anon_kb[at - r.peak_kb.begin()].first));
    RecordProperty("run_s", static_cast<int>(r.anon_kb.back().first));
  }
  long worst = 0;
  int windows = 0;
  for (std::size_t i = 0; i < r.anon_kb.size(); ++i) {
    if (r.anon_kb[i].first < kWarmUpS) continue;
    for (std::size_t j = i; j < r.anon_kb.size(); ++j) {
      if (r.anon_kb[j].first < r.anon_kb[i].first + kWindowS) continue;
      ++windows;
      worst = std::max(worst, std::abs(r.anon_kb[j].second - r.anon_kb[i].second));
      break;
    }
  }
  // Growth or spikes: the range after warm-up and where it ended. Growth as a
  // leak would show it: the highest sample of the first 100 s after warm-up
  // against the highest of the last 100 s.
  long low = 0, high = 0, first = 0, first_window_max = 0, last_window_max = 0;
  const double end_s = r.anon_kb.empty() ? 0 : r.anon_kb.back().first;
  for (const auto& [t, kb] : r.anon_kb) {
    if (t < kWarmUpS) continue;
    if (first == 0) first = low = high = kb;
    low = std::min(low, kb);
    high = std::max(high, kb);
    if (t < kWarmUpS + kWindowS) first_window_max = std::max(first_window_max, kb);
    if (t > end_s - kWindowS) last_window_max = std::max(last_window_max, kb);
  }
  RecordProperty("anon_kb_after_warm_up", static_cast<int>(first));
  RecordProperty("anon_kb_min", static_cast<int>(low));
  RecordProperty("anon_kb_max", static_cast<int>(high));
  if (!r.anon_kb.empty()) RecordProperty("anon_kb_last", static_cast<int>(r.anon_kb.back().second));
  RecordProperty("anon_kb_max_first_100s", static_cast<int>(first_window_max));
  RecordProperty("anon_kb_max_last_100s", static_cast<int>(last_window_max));
  RecordProperty("windows", windows);
  RecordProperty("worst_drift_kb", static_cast<int>(worst));
  // The figures of the restatement proposed to the issue's owner (docs/reliability.md,
  // runs 17-18), recorded but not asserted until it is agreed: the band after warm-up
  // against memory_limit, and the growth from the first 100 s to the last per entry.
  RecordProperty("anon_band_kb", static_cast<int>(high - low));
  RecordProperty("limit_kb", static_cast<int>(limit_kb));
  RecordProperty("growth_bytes_per_entry",
                 static_cast<int>((last_window_max - first_window_max) * 1024 / n));
  EXPECT_LE(worst, kDriftKb) << windows << " windows of " << kWindowS << " s";
  if (n >= 100000) EXPECT_GT(windows, 0) << "a run this long has 100 s windows after warm-up";
}

}  // namespace
}  // namespace cnake::reliability
