// The real executable: --port 0, the first stdout line, API key from the
// environment, the request log, and a clean exit on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>

#include "server/test_support.h"

extern char** environ;

namespace cnake::server {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child Spawn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  std::string binary = std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-server";
  argv.push_back(binary.data());
  std::vector<std::string> owned_args = args;
  for (std::string& a : owned_args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = extra_env;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()),
            0);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  child.out = fdopen(pipe_fds[0], "r");
  return child;
}

TEST(ServerBinaryTest, PortZeroFirstLineAndCleanSigterm) {
  const std::string log_path = testing::TempPath("binary.jsonl");
  std::remove(log_path.c_str());
  Child child = Spawn({"--port", "0", "--quiet", "--request-log", log_path, "--threads", "16"},
                      {"CNAKE_SERVER_API_KEY=k3y"});
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof(line), child.out), nullptr);
  std::smatch m;
  const std::string first(line);
  ASSERT_TRUE(
      std::regex_match(first, m, std::regex(R"(listening on (http://127\.0\.0\.1:(\d+)/api)\n)")))
      << first;
  const std::string base = m[1];
  EXPECT_GT(std::stoi(m[2]), 0);

  EXPECT_EQ(testing::Get(base + "/health").status, 200);
  EXPECT_EQ(testing::PostJson(base + "/generate", testing::GenerateBody()).status, 401);
  EXPECT_EQ(
      testing::PostJson(base + "/generate", testing::GenerateBody(), {"Authorization: Bearer k3y"})
          .status,
      200);
  EXPECT_EQ(testing::ReadJsonLines(log_path).size(), 3u);  // readable while running

  ASSERT_EQ(kill(child.pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(child.out);
}

TEST(ServerBinaryTest, OpenAiProtocolServesV1ByDefault) {
  Child child = Spawn({"--port", "0", "--quiet", "--protocol", "openai", "--model", "a", "--model",
                       "b", "--threads", "8"},
                      {});
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof(line), child.out), nullptr);
  std::smatch m;
  const std::string first(line);
  ASSERT_TRUE(
      std::regex_match(first, m, std::regex(R"(listening on (http://127\.0\.0\.1:\d+/v1)\n)")))
      << first;
  const nlohmann::json models = testing::Get(std::string(m[1]) + "/models").Json();
  ASSERT_EQ(models["data"].size(), 2u);
  EXPECT_EQ(models["data"][1]["id"], "b");
  ASSERT_EQ(kill(child.pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(child.out);
}

TEST(ServerBinaryTest, BadFlagsExitWithUsageError) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--delay", "whenever"},
                                               {"--mode", "turbo"},
                                               {"--no-such-flag"},
                                               {"--protocol", "grpc"},
                                               {"--model", "m"},  // goes with --protocol openai
                                               {"--protocol", "openai", "--limit-window", "0"}}) {
    Child child = Spawn(args, {});
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << args[0];
    fclose(child.out);
  }
}

}  // namespace
}  // namespace cnake::server
