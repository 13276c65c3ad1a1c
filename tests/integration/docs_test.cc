// The documentation names what the output holds.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client_fixture.h"

namespace cnake {
namespace {

class DocsTest : public ClientTest {};

std::string ReadSource(const std::string& rel) {
  std::ifstream in(std::string(CNAKE_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// docs/reports.md lists the endpoint names of requests.by_endpoint.
TEST_F(DocsTest, ReportsDocNamesTheEndpointsTheSummaryUses) {
  testing::ReferenceServer server({});  // asynchronous: generate, status and results
  ImportEntries(2);
  ASSERT_EQ(Client({"process"}, server.url()).exit_code, 0);
  testing::ProcessResult report = Client({"report"}, server.url());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const nlohmann::json by_endpoint = nlohmann::json::parse(report.out)["requests"]["by_endpoint"];
  ASSERT_GE(by_endpoint.size(), 3u) << by_endpoint.dump();
  const std::string docs = ReadSource("docs/reports.md");
  const std::size_t row = docs.find("`requests.by_endpoint`");
  ASSERT_NE(row, std::string::npos);
  const std::string line = docs.substr(row, docs.find('\n', row) - row);
  for (const auto& [name, count] : by_endpoint.items()) {
    EXPECT_NE(line.find("`" + name + "`"), std::string::npos) << name << " not in: " << line;
  }
}

}  // namespace
}  // namespace cnake
