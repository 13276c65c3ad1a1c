#include "cli/usage_errors.h"

#include <gtest/gtest.h>

namespace cnake::cli {
namespace {

// A parser shaped like the client's: global options, commands with options.
class UsageErrorsTest : public ::testing::Test {
 protected:
  UsageErrorsTest() {
    app_.fallthrough();
    app_.add_option("--db-path", value_);
    app_.add_option("--max-concurrent", value_);
    app_.add_flag("-q,--quiet");
    CLI::App* process = app_.add_subcommand("process");
    process->add_option("--limit", value_);
    process->add_flag("--retry-failed");
    app_.add_subcommand("stats")->add_flag("--json");
    app_.add_subcommand("status");
  }
  std::string Explain(std::vector<std::string> args) {
    return ExplainUsageError(app_, args).value_or("<none>");
  }
  CLI::App app_;
  std::string value_;
};

TEST_F(UsageErrorsTest, UnknownOptionGetsTheClosestKnownOne) {
  EXPECT_EQ(Explain({"process", "--max-concurent", "3"}),
            "unknown option --max-concurent for `process`; did you mean --max-concurrent?");
  EXPECT_EQ(Explain({"process", "--retry-faild"}),
            "unknown option --retry-faild for `process`; did you mean --retry-failed?");
  EXPECT_EQ(Explain({"--dbpath=x", "stats"}), "unknown option --dbpath; did you mean --db-path?");
}

TEST_F(UsageErrorsTest, EveryUnknownOptionInTheOrderGiven) {
  EXPECT_EQ(Explain({"stats", "--jsn", "--frobnicate-everything", "7"}),
            "unknown option --jsn for `stats`; did you mean --json?\n"
            "unknown option --frobnicate-everything for `stats`");
}

TEST_F(UsageErrorsTest, OptionsOfTheCommandGivenOnly) {
  // --retry-failed belongs to process, not to stats.
  EXPECT_EQ(Explain({"stats", "--retry-failed"}), "unknown option --retry-failed for `stats`");
}

TEST_F(UsageErrorsTest, UnknownCommandGetsTheClosestCommand) {
  EXPECT_EQ(Explain({"stat"}), "unknown command 'stat'; did you mean 'stats'?");
  EXPECT_EQ(Explain({"--db-path", "x.duckdb", "proces", "--limit", "3"}),
            "unknown command 'proces'; did you mean 'process'?");
  EXPECT_EQ(Explain({"zzzzzz"}),
            "unknown command 'zzzzzz'; the commands are: process, stats, status");
}

TEST_F(UsageErrorsTest, SecretLookingOptionIsNamedButItsValueNever) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"process", "--api-key", "canary-abc123"},
                                             {"process", "--api-key=canary-abc123"},
                                             {"--token", "canary-abc123", "stats"},
                                             {"stats", "--PASSWORD", "canary-abc123"},
                                             {"--api-key=", "canary-abc123", "stats"},
                                             {"--api-key=", "canary-abc123"}}) {
    const std::string text = Explain(args);
    EXPECT_EQ(text.find("canary-abc123"), std::string::npos) << text;
    EXPECT_NE(text.find("CNAKE_API_KEY"), std::string::npos) << text;
  }
}

TEST_F(UsageErrorsTest, ValuesOfUnknownOptionsAreNeverEchoed) {
  const std::string text = Explain({"process", "--frob", "some-value-1234"});
  EXPECT_EQ(text.find("some-value-1234"), std::string::npos) << text;
}

TEST_F(UsageErrorsTest, NothingBetterToSayYieldsNullopt) {
  EXPECT_FALSE(ExplainUsageError(app_, {"process", "--limit", "3"}));
  EXPECT_FALSE(ExplainUsageError(app_, {}));
}

TEST(LooksLikeSecretOptionTest, Words) {
  for (const char* name : {"api-key", "apikey", "Token", "auth-token", "password", "db-passwd",
                           "client-secret", "credentials"}) {
    EXPECT_TRUE(LooksLikeSecretOption(name)) << name;
  }
  for (const char* name : {"db-path", "max-concurrent", "base-url", "tag", "id-prefix"}) {
    EXPECT_FALSE(LooksLikeSecretOption(name)) << name;
  }
}

}  // namespace
}  // namespace cnake::cli
