// Times are stored in UTC and shown in one format, ISO 8601 UTC with
// milliseconds and "Z", whatever the process's TZ (README, "Times").
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "client_fixture.h"
#include "util/time_format.h"

namespace cnake {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

class TimesTest : public ClientTest {
 protected:
  // A time in the one format, and within [from, to] (a second of slack for
  // the milliseconds cut off).
  void ExpectUtcBetween(const std::string& text, system_clock::time_point from,
                        system_clock::time_point to, const std::string& what) {
    static const std::regex kFormat(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
    EXPECT_TRUE(std::regex_match(text, kFormat)) << what << ": " << text;
    const std::string low = FormatIsoUtc(from - std::chrono::seconds(1));
    const std::string high = FormatIsoUtc(to + std::chrono::seconds(1));
    // Same format and width: text order is time order.
    EXPECT_GE(text, low) << what;
    EXPECT_LE(text, high) << what;
  }
};

TEST_F(TimesTest, UnderANewYorkTimeZoneEverythingStoredAndShownIsUtc) {
  testing::ReferenceServer server({"--mode", "sync"});
  ImportEntries(3);
  const std::map<std::string, std::string> tz = {{"TZ", "America/New_York"}};
  const auto before = system_clock::now();
  testing::ProcessResult r = Client(
      {"process", "--log-file", dir_.File("run.log"), "--log-level", "debug"}, server.url(), tz);
  const auto after = system_clock::now();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // What the client wrote with now() / CURRENT_TIMESTAMP, read back as UTC.
  for (const char* column : {"processed_at", "updated_at"}) {
    ExpectUtcBetween(Query(std::string("SELECT strftime(max(") + column + "), '" + kIsoUtcStrftime +
                           "') FROM cython_entries"),
                     before, after, column);
  }
  ExpectUtcBetween(Query(std::string("SELECT strftime(max(generated_at), '") + kIsoUtcStrftime +
                         "') FROM python_entries"),
                   before, after, "generated_at");

  testing::ProcessResult stats = Client({"stats", "--json"}, server.url(), tz);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const json batch = json::parse(stats.out)["recent_batches"].at(0);
  ExpectUtcBetween(batch["started_at"], before, after, "stats started_at");
  ExpectUtcBetween(batch["completed_at"], before, after, "stats completed_at");

  testing::ProcessResult status =
      Client({"status", "--batch-id", batch["id"], "--json"}, server.url(), tz);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  ExpectUtcBetween(json::parse(status.out)["started_at"], before, after, "status started_at");

  testing::ProcessResult report = Client({"report", "--batch-id", batch["id"]}, server.url(), tz);
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json summary = json::parse(report.out);
  ExpectUtcBetween(summary["batches"].at(0)["started_at"], before, after, "report started_at");

  // Log lines start with the time, in the same format.
  std::ifstream log(dir_.File("run.log"));
  std::string line;
  ASSERT_TRUE(std::getline(log, line));
  ExpectUtcBetween(line.substr(0, line.find(' ')), before, after, "log line");
}

TEST_F(TimesTest, JsonLogLinesUseTheSameFormat) {
  testing::ReferenceServer server({"--mode", "sync"});
  ImportEntries(2);
  const auto before = system_clock::now();
  testing::ProcessResult r = Client({"process", "--log-file", dir_.File("run.log"), "--log-format",
                                     "json", "--log-level", "debug"},
                                    server.url(), {{"TZ", "America/New_York"}});
  const auto after = system_clock::now();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream log(dir_.File("run.log"));
  int lines = 0;
  for (std::string line; std::getline(log, line); ++lines) {
    ExpectUtcBetween(json::parse(line)["time"], before, after, "json log line");
  }
  EXPECT_GT(lines, 0);  // at debug level every commit is logged
}

}  // namespace
}  // namespace cnake
