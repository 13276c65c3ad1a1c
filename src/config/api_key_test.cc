// The api key: every source, precedence against the key file, permissions,
// and that the key never appears in an error, a warning or `config show`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "config/config_loader.h"
#include "config/test_util.h"

namespace cnake {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing_util::Isolated;
using testing_util::TempDir;

constexpr char kCanary[] = "CANARY-k3y-7f3a9c";

// Everything a user could see from a load: the error, or warnings and `config show`.
std::string Visible(const Result<LoadedConfig>& loaded) {
  if (!loaded.ok()) return loaded.status().ToString();
  std::string out = RenderEffectiveConfig(*loaded);
  for (const auto& w : loaded->warnings) out += w + "\n";
  return out;
}

TEST(ApiKeyTest, FromEachSource) {
  TempDir dir;
  {
    ConfigInputs in = Isolated(dir);
    in.env["CNAKE_API_KEY"] = "from-alias";
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "from-alias");
    EXPECT_EQ(loaded->source.at("api.api_key"), "env CNAKE_API_KEY");
  }
  {
    ConfigInputs in = Isolated(dir);
    in.env["CNAKE_API_KEY"] = "from-alias";
    in.env["CNAKE_API_API_KEY"] = "from-canonical";
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "from-canonical");
    EXPECT_EQ(loaded->source.at("api.api_key"), "env CNAKE_API_API_KEY");
    ASSERT_EQ(loaded->warnings.size(), 1u);
    EXPECT_THAT(loaded->warnings[0], HasSubstr("both CNAKE_API_KEY and CNAKE_API_API_KEY"));
  }
  {
    ConfigInputs in = Isolated(dir);
    in.config_path = dir.Write("c.yaml", "api:\n  api_key: from-file\n", 0600);
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "from-file");
    EXPECT_EQ(loaded->source.at("api.api_key"), "file " + *in.config_path);
    EXPECT_TRUE(loaded->warnings.empty());
  }
  {
    dir.Write("key", "from-key-file\n", 0600);
    ConfigInputs in = Isolated(dir);
    in.env["CNAKE_API_API_KEY_FILE"] = "key";  // relative to cwd
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "from-key-file");  // newline trimmed
    EXPECT_EQ(loaded->source.at("api.api_key"), "key file key");
    EXPECT_EQ(loaded->source.at("api.api_key_file"), "env CNAKE_API_API_KEY_FILE");
    EXPECT_TRUE(loaded->warnings.empty()) << loaded->warnings.front();
  }
}

TEST(ApiKeyTest, KeyFilePermissions) {
  TempDir dir;
  for (mode_t mode : {0644, 0640, 0604, 0600, 0400}) {
    dir.Write("key", "k\r\n", mode);
    ConfigInputs in = Isolated(dir);
    in.flags["api.api_key_file"] = "key";
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "k");
    if (mode & 077) {
      ASSERT_EQ(loaded->warnings.size(), 1u) << std::oct << mode;
      EXPECT_THAT(loaded->warnings[0],
                  HasSubstr("api key file key is accessible by group or others"));
      EXPECT_THAT(loaded->warnings[0], HasSubstr("chmod 600 key"));
    } else {
      EXPECT_TRUE(loaded->warnings.empty()) << std::oct << mode;
    }
  }
}

TEST(ApiKeyTest, ConfigFileHoldingTheKeyShouldBePrivate) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.config_path = dir.Write("c.toml", "[api]\napi_key = \"k\"\n", 0644);
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_THAT(loaded->warnings[0], HasSubstr("contains api.api_key"));
}

TEST(ApiKeyTest, ShowDisplaysStarsAndFingerprint) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_API_KEY"] = kCanary;
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->config.api.api_key.reveal(), kCanary);
  const std::string out = RenderEffectiveConfig(*loaded);
  EXPECT_THAT(out, HasSubstr("*** (" + Secret(kCanary).Fingerprint() + ")"));
  EXPECT_THAT(out, HasSubstr("# env CNAKE_API_KEY"));
  EXPECT_THAT(out, Not(HasSubstr("CANARY")));
}

TEST(ApiKeyTest, HigherPrecedenceSourceWinsBetweenKeyAndKeyFile) {
  TempDir dir;
  dir.Write("key", "from-key-file", 0600);
  const std::string file_with_key = dir.Write("k.toml", "[api]\napi_key = \"from-file\"\n");
  const std::string file_with_keyfile = dir.Write("f.toml", "[api]\napi_key_file = \"key\"\n");
  {
    // Key file named in the file, key in the environment: the environment wins.
    ConfigInputs in = Isolated(dir);
    in.config_path = file_with_keyfile;
    in.env["CNAKE_API_KEY"] = "from-env";
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "from-env");
  }
  {
    // Key in the file, key file in the environment: the key file wins.
    ConfigInputs in = Isolated(dir);
    in.config_path = file_with_key;
    in.env["CNAKE_API_API_KEY_FILE"] = "key";
    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->config.api.api_key.reveal(), "from-key-file");
    EXPECT_EQ(loaded->source.at("api.api_key"), "key file key");
  }
  {
    // Both in one source: ambiguous.
    ConfigInputs in = Isolated(dir);
    in.config_path = dir.Write("both.toml", "[api]\napi_key = \"a\"\napi_key_file = \"key\"\n");
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_THAT(loaded.status().message(), HasSubstr("both set"));
  }
}

TEST(ApiKeyTest, KeyFileErrorsNameThePathNotTheContent) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.flags["api.api_key_file"] = "does-not-exist";
  auto missing = LoadConfig(in);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot read api key file does-not-exist"));

  dir.Write("empty", "\n", 0600);
  in.flags["api.api_key_file"] = "empty";
  auto empty = LoadConfig(in);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("is empty"));

  dir.Write("twolines", std::string(kCanary) + "\nsecond-" + kCanary + "\n", 0600);
  in.flags["api.api_key_file"] = "twolines";
  auto two = LoadConfig(in);
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(two.status().message(), HasSubstr("twolines"));
  EXPECT_THAT(two.status().message(), Not(HasSubstr("CANARY")));

  if (geteuid() != 0) {  // root reads anything
    dir.Write("unreadable", kCanary, 0000);
    in.flags["api.api_key_file"] = "unreadable";
    auto unreadable = LoadConfig(in);
    ASSERT_FALSE(unreadable.ok());
    EXPECT_THAT(unreadable.status().message(), HasSubstr("unreadable"));
    EXPECT_THAT(unreadable.status().message(), Not(HasSubstr("CANARY")));
  }
}

TEST(ApiKeyTest, NoFlagForTheKey) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.flags["api.api_key"] = kCanary;
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("api.api_key: cannot be set by a flag"));
  EXPECT_THAT(loaded.status().message(), Not(HasSubstr("CANARY")));
}

TEST(ApiKeyTest, CanaryNeverVisible) {
  TempDir dir;
  const std::string canary = kCanary;
  // (description, inputs) pairs, each of which puts the canary somewhere.
  std::vector<std::pair<std::string, ConfigInputs>> cases;
  auto with_file = [&](const std::string& name, const std::string& text, mode_t mode = 0600) {
    ConfigInputs in = Isolated(dir);
    in.config_path = dir.Write(name, text, mode);
    cases.emplace_back(name + ": " + text, in);
  };
  auto with_env = [&](const std::string& var, const std::string& value) {
    ConfigInputs in = Isolated(dir);
    in.env[var] = value;
    cases.emplace_back(var, in);
  };
  // Valid keys: shown only as *** by `config show`.
  with_env("CNAKE_API_KEY", canary);
  with_file("ok.toml", "[api]\napi_key = \"" + canary + "\"\n", 0644);
  // Invalid keys: the error names api.api_key, never the value.
  with_env("CNAKE_API_API_KEY", canary + " with space");
  with_env("CNAKE_API_KEY", canary + "\n");
  with_file("type.toml", "[api]\napi_key = [\"" + canary + "\"]\n");
  with_file("space.json", R"({"api": {"api_key": ")" + canary + R"( x"}})");
  with_file("ctl.yaml", "api:\n  api_key: \"" + canary + "\\t\"\n");
  // Misspelled key holding the secret: the warning names the key only.
  with_file("typo.toml", "[api]\napikey = \"" + canary + "\"\n");
  with_file("section.toml", "[api_key]\nvalue = \"" + canary + "\"\n");
  // Syntax errors right at or after the secret.
  with_file("s1.json", R"({"api": {"api_key": ")" + canary + R"(", }})");
  with_file("s2.json", R"({"api": {"api_key": )" + canary + R"(}})");
  with_file("s3.json", R"({"api": {"api_key": ")" + canary + "\n\"}}");
  with_file("s4.toml", "[api]\napi_key = \"" + canary + "\n");
  with_file("s5.toml", "[api]\napi_key = " + canary + "\n");
  with_file("s6.toml", "[api]\napi_key = \"" + canary + "\\q\"\n");
  with_file("s7.yaml", "api:\n  api_key: \"" + canary + "\n");
  with_file("s8.yaml", "api:\n  api_key: " + canary + ": x: y\n");
  with_file("s9.yaml", "api: {api_key: " + canary + "\n");
  with_file("s10.yaml", "api:\n  api_key: \"" + canary + "\\q\"\n");

  for (const auto& [what, in] : cases) {
    const std::string visible = Visible(LoadConfig(in));
    EXPECT_THAT(visible, Not(HasSubstr("CANARY"))) << what << "\n---\n" << visible;
    EXPECT_THAT(visible, Not(HasSubstr("k3y-7f3a9c"))) << what;
  }
}

}  // namespace
}  // namespace cnake
