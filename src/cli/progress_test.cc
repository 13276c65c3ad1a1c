// The progress line (issue 21, item 9): the rate limit names itself, elapsed
// time and retries show, the ETA comes from a smoothed rate and hides while
// stopping or in an outage, the line fits the terminal, and a log record
// never lands on it.
#include "cli/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "cli/terminal_line.h"

namespace cnake::cli {
namespace {

using namespace std::chrono_literals;

engine::Snapshot Running(std::int64_t completed, std::int64_t total = 1000) {
  engine::Snapshot s;
  s.batch_id = "b-1";
  s.total = total;
  s.completed = completed;
  s.retries = 7;
  s.current_rpm = 60;
  s.configured_rpm = 60;
  s.elapsed_seconds = 65;
  s.entries_per_second = 2.5;
  s.jobs_in_flight = 4;
  return s;
}

TEST(ProgressLineTest, ShowsElapsedRetriesAndNamesTheRateLimitWhenItHoldsTheRunBack) {
  engine::Snapshot s = Running(10);
  const std::string free_line = ProgressLine(s, false, 30.0);
  EXPECT_NE(free_line.find("elapsed 1m05s"), std::string::npos) << free_line;
  EXPECT_NE(free_line.find("7 retries"), std::string::npos) << free_line;
  EXPECT_NE(free_line.find("ETA 30s"), std::string::npos) << free_line;
  EXPECT_EQ(free_line.find("rate-limited"), std::string::npos) << free_line;
  s.rate_limited = true;
  const std::string held = ProgressLine(s, false, 30.0);
  EXPECT_NE(held.find("rate-limited: 60 rpm"), std::string::npos) << held;
}

TEST(ProgressLineTest, FitsTheWidthByLeavingOutTheLeastImportantParts) {
  engine::Snapshot s = Running(10);
  s.rate_limited = true;
  const std::string full = ProgressLine(s, true, 30.0);
  for (int width : {120, 80, 60, 40, 20}) {
    const std::string plain = ProgressLine(s, false, 30.0, width);
    EXPECT_LE(plain.size(), static_cast<std::size_t>(width)) << plain;
    EXPECT_EQ(plain.rfind("10/1000 done", 0), 0u) << plain;
    // Colour codes take no columns: the coloured line fits as well.
    const std::string coloured = ProgressLine(s, true, 30.0, width);
    std::string visible;
    for (std::size_t i = 0; i < coloured.size(); ++i) {
      if (coloured[i] == '\033') {
        i = coloured.find('m', i);
        continue;
      }
      visible += coloured[i];
    }
    EXPECT_EQ(visible, plain) << width;
  }
  EXPECT_NE(ProgressLine(s, false, 30.0, 60).find("rate-limited"), std::string::npos)
      << "what holds the run back is the last thing left out";
  EXPECT_GT(full.size(), 80u);
}

TEST(EtaEstimatorTest, NoGuessInTheFirstSecondsThenTheSmoothedRate) {
  EtaEstimator eta;
  const TimePoint t0{std::chrono::hours(1)};
  engine::Snapshot s = Running(0, 100);
  s.elapsed_seconds = 0;
  EXPECT_FALSE(eta.Update(t0, s));
  // A first second that finishes 10 at once says little about the rest.
  s.completed = 10;
  s.elapsed_seconds = 1;
  EXPECT_FALSE(eta.Update(t0 + 1s, s)) << "a first-second guess";
  // Then 1 entry/s for a minute: the window forgets the first second.
  std::optional<double> last;
  for (int t = 2; t <= 61; ++t) {
    s.completed = 10 + (t - 1);
    s.elapsed_seconds = t;
    last = eta.Update(t0 + std::chrono::seconds(t), s);
  }
  ASSERT_TRUE(last);
  EXPECT_NEAR(*last, 30.0, 1.5);  // 30 left at 1/s
}

TEST(EtaEstimatorTest, NoEtaWhileStoppingOrWhileTheApiIsDown) {
  EtaEstimator eta;
  const TimePoint t0{std::chrono::hours(1)};
  engine::Snapshot s = Running(0, 100);
  for (int t = 0; t <= 10; ++t) {
    s.completed = t;
    s.elapsed_seconds = t;
    eta.Update(t0 + std::chrono::seconds(t), s);
  }
  EXPECT_TRUE(eta.Update(t0 + 10s, s));
  s.breaker_state = "open";
  EXPECT_FALSE(eta.Update(t0 + 11s, s));
  s.breaker_state = "closed";
  s.phase = engine::RunPhase::kStopping;
  EXPECT_FALSE(eta.Update(t0 + 12s, s));
}

TEST(TerminalLineTest, ALogRecordErasesTheDrawnLineOnce) {
  TerminalLine line;
  std::ostringstream screen;
  std::FILE* log = std::tmpfile();
  ASSERT_NE(log, nullptr);
  line.Draw(screen, "3/10 done");
  EXPECT_EQ(screen.str(), "\r\033[K3/10 done");
  line.ClearForRecord(log);
  line.ClearForRecord(log);  // nothing drawn since: nothing to erase
  std::fseek(log, 0, SEEK_SET);
  char buf[32] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf, log);
  EXPECT_EQ(std::string(buf, n), "\r\033[K");
  line.Finish(screen);
  EXPECT_EQ(screen.str(), "\r\033[K3/10 done") << "the log record already ended the line";
  std::fclose(log);
}

}  // namespace
}  // namespace cnake::cli
