#include "report/json_log_formatter.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace cnake::report {
namespace {

TEST(JsonLogFormatter, HostileMessagesStayValidJson) {
  const std::string msg = "batch=b-1 entry=e\"1 failed: \"quoted\" \\ back\nslash \xFF end";
  const std::string line = JsonLogLine("2026-01-01T00:00:00.000Z", "info", 7, msg);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["pid"], 7);
  EXPECT_EQ(j["batch_id"], "b-1");
  EXPECT_EQ(j["entry_id"], "e\"1");
  EXPECT_NE(j["msg"].get<std::string>().find("\"quoted\" \\ back\nslash"), std::string::npos);
}

TEST(JsonLogFormatter, NoIdsWithoutTheConvention) {
  auto j = nlohmann::json::parse(JsonLogLine("t", "warn", 1, "rebatch=1 no entry here"));
  EXPECT_FALSE(j.contains("batch_id"));
  EXPECT_FALSE(j.contains("entry_id"));
}

TEST(JsonLogFormatter, WorksAsAnSpdlogFormatter) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("t", sink);
  logger.set_formatter(std::make_unique<JsonLogFormatter>());
  logger.info("batch={} entry={} failed: {}", "b-9", "x", "say \"no\"");
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["entry_id"], "x");
  EXPECT_EQ(j["msg"], "batch=b-9 entry=x failed: say \"no\"");
  EXPECT_EQ(j["time"].get<std::string>().size(), 24u);  // 2026-01-01T00:00:00.000Z
}

}  // namespace
}  // namespace cnake::report
