// logging.file: ./processing.log by default, created with the first line
// logged; --log-file '' writes none (docs/config.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client_fixture.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;

class LoggingTest : public ClientTest {
 protected:
  std::string DefaultLog() const { return dir_.File("processing.log"); }
  std::string ReadAll(const std::string& path) const {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

TEST_F(LoggingTest, ProcessLogsToProcessingLogInTheWorkingDirectoryByDefault) {
  testing::ReferenceServer server({"--mode", "sync"});
  ImportEntries(2);
  testing::ProcessResult shown = Client({"config", "show"}, server.url());
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("\"./processing.log\""), std::string::npos) << shown.out;
  // Commands that log nothing leave no file behind.
  EXPECT_FALSE(fs::exists(DefaultLog()));

  testing::ProcessResult r = Client({"process"}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(DefaultLog()));
  const std::string log = ReadAll(DefaultLog());
  EXPECT_NE(log.find("run starts"), std::string::npos) << log;
  EXPECT_NE(log.find("run ends: finished; 2 completed, 0 failed, 0 left of 2"), std::string::npos)
      << log;
}

TEST_F(LoggingTest, EmptyLogFileFlagWritesNoFile) {
  testing::ReferenceServer server({"--mode", "sync"});
  ImportEntries(2);
  testing::ProcessResult r = Client({"process", "--log-file", ""}, server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(DefaultLog()));
  EXPECT_NE(r.err.find("run ends"), std::string::npos) << r.err;  // still on stderr
}

TEST_F(LoggingTest, UnwritableLogFileIsAConfigurationError) {
  testing::ProcessResult r =
      Client({"init", "--log-file", dir_.File("no/such/dir/x.log")}, "http://127.0.0.1:9/api");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("logging.file: cannot write"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Db()));  // refused before any work
}

}  // namespace
}  // namespace cnake
