// The progress line (issue 21, item 9): the rate limit names itself, elapsed
// time and retries show, the line fits the terminal, and a log record never
// lands on it. The smoothed ETA: engine/eta_estimator_test.cc.
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
  s.eta_seconds = 30.0;
  s.jobs_in_flight = 4;
  return s;
}

TEST(ProgressLineTest, ShowsElapsedRetriesAndNamesTheRateLimitWhenItHoldsTheRunBack) {
  engine::Snapshot s = Running(10);
  const std::string free_line = ProgressLine(s, false);
  EXPECT_NE(free_line.find("elapsed 1m05s"), std::string::npos) << free_line;
  EXPECT_NE(free_line.find("7 retries"), std::string::npos) << free_line;
  EXPECT_NE(free_line.find("ETA 30s"), std::string::npos) << free_line;
  EXPECT_EQ(free_line.find("rate-limited"), std::string::npos) << free_line;
  s.rate_limited = true;
  const std::string held = ProgressLine(s, false);
  EXPECT_NE(held.find("rate-limited: 60 rpm"), std::string::npos) << held;
}

TEST(ProgressLineTest, TheSummaryNamesTheRateLearnedFrom429sInsteadOfAskingForAHigherRpm) {
  engine::Snapshot s = Running(10);
  EXPECT_EQ(RateLimitedSummary(s), "") << "never held";
  s.rate_limited_seconds = 13;
  EXPECT_EQ(RateLimitedSummary(s),
            "rate-limited 20% of the run (13 s waiting for the 60 requests/min limit); raise "
            "--rpm if the API allows more");
  s.configured_rpm = 100000;
  s.current_rpm = 555;
  s.throttled = 11;
  EXPECT_EQ(RateLimitedSummary(s),
            "rate-limited 20% of the run (13 s waiting): the API answered 429 to 11 requests, so "
            "the client kept to about 555 requests/min of --rpm 100000");
}

TEST(ProgressLineTest, FitsTheWidthByLeavingOutTheLeastImportantParts) {
  engine::Snapshot s = Running(10);
  s.rate_limited = true;
  const std::string full = ProgressLine(s, true);
  for (int width : {120, 80, 60, 40, 20}) {
    const std::string plain = ProgressLine(s, false, width);
    EXPECT_LE(plain.size(), static_cast<std::size_t>(width)) << plain;
    EXPECT_EQ(plain.rfind("10/1000 done", 0), 0u) << plain;
    // Colour codes take no columns: the coloured line fits as well.
    const std::string coloured = ProgressLine(s, true, width);
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
  EXPECT_NE(ProgressLine(s, false, 60).find("rate-limited"), std::string::npos)
      << "what holds the run back is the last thing left out";
  EXPECT_GT(full.size(), 80u);
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
