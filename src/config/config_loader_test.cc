#include "config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/test_util.h"

namespace cnake {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing_util::Isolated;
using testing_util::TempDir;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(LoadConfigTest, NoSourcesGiveDefaults) {
  TempDir dir;
  auto loaded = LoadConfig(Isolated(dir));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config, Config());
  EXPECT_FALSE(loaded->file.has_value());
  EXPECT_TRUE(loaded->warnings.empty());
  for (const auto& key : AllConfigKeys()) EXPECT_EQ(loaded->source.at(key), "default") << key;
}

// Each key is set by any subset of {file, env, flag}; the highest wins and is
// reported as the source.
TEST(LoadConfigTest, PrecedenceMatrix) {
  struct KeyCase {
    std::string path, file_value, env_value, flag_value;
    std::string env_name, flag_name;
    std::function<std::string(const Config&)> read;
  };
  const std::vector<KeyCase> keys = {
      {"processing.max_concurrent", "2", "3", "4", "CNAKE_PROCESSING_MAX_CONCURRENT",
       "--max-concurrent",
       [](const Config& c) { return std::to_string(c.processing.max_concurrent); }},
      {"api.base_url", "http://file.example", "http://env.example", "http://flag.example",
       "CNAKE_API_BASE_URL", "--base-url", [](const Config& c) { return c.api.base_url; }},
      {"logging.level", "debug", "warn", "error", "CNAKE_LOGGING_LEVEL", "--log-level",
       [](const Config& c) { return c.logging.level; }},
      {"duckdb.table_name", "file_t", "env_t", "flag_t", "CNAKE_DUCKDB_TABLE_NAME", "--table",
       [](const Config& c) { return c.duckdb.table_name; }},
      {"processing.rate_limit.requests_per_minute", "10", "20", "30",
       "CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE", "--rpm",
       [](const Config& c) {
         return std::to_string(static_cast<int>(c.processing.rate_limit.requests_per_minute));
       }},
  };
  TempDir dir;
  for (int mask = 0; mask < 8; ++mask) {
    const bool use_file = mask & 1, use_env = mask & 2, use_flag = mask & 4;
    ConfigInputs in = Isolated(dir);
    std::string json = "{";
    for (const auto& k : keys) {
      if (use_env) in.env[k.env_name] = k.env_value;
      if (use_flag) in.flags[k.path] = k.flag_value;
    }
    // A JSON file with nested sections built from the dotted paths.
    std::string file_text =
        R"({"processing": {"max_concurrent": 2, "rate_limit": {"requests_per_minute": 10}},)"
        R"( "api": {"base_url": "http://file.example"}, "logging": {"level": "debug"},)"
        R"( "duckdb": {"table_name": "file_t"}})";
    const std::string file = dir.Write("c.json", file_text);
    if (use_file) in.config_path = file;

    auto loaded = LoadConfig(in);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    for (const auto& k : keys) {
      SCOPED_TRACE(k.path + " mask " + std::to_string(mask));
      const Config defaults;
      if (use_flag) {
        EXPECT_EQ(k.read(loaded->config), k.flag_value);
        EXPECT_EQ(loaded->source.at(k.path), "flag " + k.flag_name);
      } else if (use_env) {
        EXPECT_EQ(k.read(loaded->config), k.env_value);
        EXPECT_EQ(loaded->source.at(k.path), "env " + k.env_name);
      } else if (use_file) {
        EXPECT_EQ(k.read(loaded->config), k.file_value);
        EXPECT_EQ(loaded->source.at(k.path), "file " + file);
      } else {
        EXPECT_EQ(k.read(loaded->config), k.read(defaults));
        EXPECT_EQ(loaded->source.at(k.path), "default");
      }
    }
  }
}

// An invalid value for every key in the table; adding a key without adding a
// sample here fails the test.
const std::map<std::string, std::string>& InvalidSamples() {
  static const std::map<std::string, std::string> kSamples = {
      {"api.base_url", "ftp://example.com/api"},
      {"api.api_key", "has space"},
      {"api.api_key_file", "bad\x01name"},
      {"api.timeout", "0"},
      {"api.connect_timeout", "-1"},
      {"api.ca_file", "bad\x02name"},
      {"api.max_retries", "101"},
      {"api.retry_delay", "-0.5"},
      {"api.max_retry_delay", "-1"},
      {"api.protocol", "grpc"},
      {"api.model", "bad\x01model"},
      {"api.system_prompt", "bad\x01prompt"},
      {"api.temperature", "2.5"},
      {"api.max_tokens", "-1"},
      {"api.extra_body", "[1]"},
      {"api.generation_timeout", "0"},
      {"api.price_per_million_input_tokens", "-1"},
      {"api.price_per_million_output_tokens", "-0.5"},
      {"duckdb.db_path", "bad\x01path"},
      {"duckdb.table_name", "x; DROP TABLE y"},
      {"duckdb.result_table", "\"quoted\""},
      {"duckdb.memory_limit", "8MB"},
      {"processing.batch_size", "0"},
      {"processing.max_concurrent", "10001"},
      {"processing.rate_limit.requests_per_minute", "0"},
      {"processing.rate_limit.burst", "0"},
      {"processing.rate_limit.tokens_per_minute", "-1"},
      {"processing.job_timeout", "0"},
      {"processing.poll_interval", "0"},
      {"processing.max_poll_interval", "-2"},
      {"processing.prompt_template", "Hello {name}"},
      {"processing.circuit_breaker_threshold", "0"},
      {"store.url", "mysql://db/x"},
      {"store.lease_time", "0"},
      {"store.renew_interval", "-1"},
      {"processing.shutdown_grace", "-1"},
      {"logging.level", "loud"},
      {"logging.file", "bad\x01log"},
      {"logging.format", "xml"},
  };
  return kSamples;
}

TEST(ValidationTest, TheOpenAiProtocolNeedsAModelAndAnObjectAsExtraBody) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_API_PROTOCOL"] = "OpenAI";
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("api.model: required when api.protocol"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("env CNAKE_API_PROTOCOL"));
  in.env["CNAKE_API_MODEL"] = "m";
  in.env["CNAKE_API_EXTRA_BODY"] = R"({"top_p": 0.9, "seed": 1})";
  loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.api.protocol, "openai");  // stored lower case
  for (const char* bad : {R"({"model": "x"})", R"({"stream": true})", "{", "5"}) {
    in.env["CNAKE_API_EXTRA_BODY"] = bad;
    loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok()) << bad;
    EXPECT_THAT(loaded.status().message(), HasSubstr("api.extra_body")) << bad;
  }
  in.env["CNAKE_API_EXTRA_BODY"] = R"({"messages": []})";
  EXPECT_THAT(LoadConfig(in).status().message(),
              HasSubstr("sets \"messages\", which the client sets"));
  // -1 and 0..2 are the temperatures allowed.
  in.env.erase("CNAKE_API_EXTRA_BODY");
  for (const char* t : {"-1", "0", "2", "0.7"}) {
    in.env["CNAKE_API_TEMPERATURE"] = t;
    EXPECT_TRUE(LoadConfig(in).ok()) << t;
  }
  in.env["CNAKE_API_TEMPERATURE"] = "-0.5";
  EXPECT_FALSE(LoadConfig(in).ok());
}

TEST(ValidationTest, EveryKeyRejectsAnInvalidValueFromEnv) {
  TempDir dir;
  for (const KeyDescriptor& key : KeyTable()) {
    SCOPED_TRACE(key.path);
    ASSERT_TRUE(InvalidSamples().count(key.path)) << "add an invalid sample for " << key.path;
    ConfigInputs in = Isolated(dir);
    in.env[key.EnvName()] = InvalidSamples().at(key.path);
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = loaded.status().message();
    EXPECT_EQ(m.rfind(key.path + ": ", 0), 0u) << m;
    EXPECT_THAT(m, HasSubstr("allowed: " + key.allowed));
    EXPECT_THAT(m, HasSubstr("(from env " + key.EnvName() + ")"));
  }
}

TEST(ValidationTest, EveryKeyRejectsAnInvalidValueFromAFile) {
  TempDir dir;
  for (const KeyDescriptor& key : KeyTable()) {
    SCOPED_TRACE(key.path);
    const std::string sample = InvalidSamples().at(key.path);
    const size_t dot = key.path.rfind('.');
    std::string literal = sample;
    if (key.type == ValueType::kString || key.type == ValueType::kSecret) {
      literal = FormatValue(ValueType::kString, Value(sample));  // a TOML basic string
    }
    const std::string file =
        dir.Write("bad.toml", "[" + key.path.substr(0, dot) + "]\n" + key.path.substr(dot + 1) +
                                  " = " + literal + "\n");
    ConfigInputs in = Isolated(dir);
    in.config_path = file;
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().message().rfind(key.path + ": ", 0), 0u) << loaded.status().message();
    EXPECT_THAT(loaded.status().message(), HasSubstr("(from file " + file + ":2:"));
  }
}

TEST(ValidationTest, EveryKeyRejectsTheWrongTypeInAFile) {
  TempDir dir;
  for (const KeyDescriptor& key : KeyTable()) {
    SCOPED_TRACE(key.path);
    const bool is_text = key.type == ValueType::kString || key.type == ValueType::kSecret;
    const size_t dot = key.path.rfind('.');
    const std::string file = dir.Write("bad.json", "{\"" + key.path.substr(0, dot) + "\": {\"" +
                                                       key.path.substr(dot + 1) +
                                                       "\": " + (is_text ? "5" : "\"5\"") + "}}");
    // JSON nesting from a dotted prefix: rewrite "a.b" sections as nested objects.
    if (key.path.substr(0, dot).find('.') != std::string::npos) {
      dir.Write("bad.json",
                R"({"processing": {"rate_limit": {")" + key.path.substr(dot + 1) + R"(": "5"}}})");
    }
    ConfigInputs in = Isolated(dir);
    in.config_path = file;
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().message().rfind(key.path + ": ", 0), 0u) << loaded.status().message();
    EXPECT_THAT(loaded.status().message(),
                HasSubstr(is_text ? "is an integer, not a string" : "is a string, not a"));
  }
}

TEST(ValidationTest, EveryFlagKeyRejectsAnInvalidValueNamingTheFlag) {
  TempDir dir;
  for (const KeyDescriptor& key : KeyTable()) {
    if (key.flag_forbidden) continue;
    SCOPED_TRACE(key.path);
    ConfigInputs in = Isolated(dir);
    in.flags[key.path] = InvalidSamples().at(key.path);
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().message().rfind(key.path + ": ", 0), 0u);
    EXPECT_THAT(loaded.status().message(), HasSubstr("(from flag " + in.flag_name_for(key.path)));
  }
}

TEST(ValidationTest, MessageShowsKeyValueAndAllowedRange) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.config_path = dir.Write("c.toml", "[processing]\nmax_concurrent = 0\n");
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            "processing.max_concurrent: 0 is out of range; allowed: integer 1..10000 (from file " +
                *in.config_path + ":2:18)");
}

TEST(ValidationTest, IntegerKeyRejectsFractionsButNumberKeyAcceptsIntegers) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.config_path = dir.Write("c.json", R"({"processing": {"batch_size": 2.5}})");
  auto bad = LoadConfig(in);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("processing.batch_size: 2.5 is not an integer"));

  in.config_path = dir.Write("d.json", R"({"api": {"timeout": 7, "retry_delay": 0.25}})");
  auto good = LoadConfig(in);
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(good->config.api.timeout, 7.0);
  EXPECT_EQ(good->config.api.retry_delay, 0.25);
}

TEST(ValidationTest, AllErrorsAreReportedTogether) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_PROCESSING_BATCH_SIZE"] = "0";
  in.flags["logging.format"] = "xml";
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("2 configuration errors"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("processing.batch_size"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("logging.format"));
}

TEST(ValidationTest, CrossKeyRules) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.flags["processing.rate_limit.burst"] = "1";
  in.env["CNAKE_PROCESSING_POLL_INTERVAL"] = "45";  // > max_poll_interval default 30
  auto poll = LoadConfig(in);
  ASSERT_FALSE(poll.ok());
  EXPECT_THAT(poll.status().message(),
              HasSubstr("processing.poll_interval: 45 (from env CNAKE_PROCESSING_POLL_INTERVAL) "
                        "must be <= processing.max_poll_interval = 30 (from default)"));

  ConfigInputs tables = Isolated(dir);
  tables.flags["duckdb.table_name"] = "Entries";
  tables.flags["duckdb.result_table"] = "entries";
  auto same = LoadConfig(tables);
  ASSERT_FALSE(same.ok());
  EXPECT_THAT(same.status().message(), HasSubstr("duckdb.result_table"));
  EXPECT_THAT(same.status().message(), HasSubstr("must differ"));

  ConfigInputs retry = Isolated(dir);
  retry.flags["api.retry_delay"] = "500";
  EXPECT_FALSE(LoadConfig(retry).ok());
}

TEST(ValidationTest, NormalisesLevelFormatAndUrl) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_LOGGING_LEVEL"] = "Warning";
  in.env["CNAKE_LOGGING_FORMAT"] = "JSON";
  in.env["CNAKE_API_BASE_URL"] = "HTTPS://[::1]:8443/api//";
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.logging.level, "warn");
  EXPECT_EQ(loaded->config.logging.format, "json");
  EXPECT_EQ(loaded->config.api.base_url, "HTTPS://[::1]:8443/api");
}

TEST(ValidationTest, BaseUrlRules) {
  TempDir dir;
  for (const char* bad : {"localhost:8000", "http://", "file:///etc/passwd", "http://u:pw@host/api",
                          "http://host:99999/", "not a url", ""}) {
    ConfigInputs in = Isolated(dir);
    in.flags["api.base_url"] = bad;
    auto loaded = LoadConfig(in);
    EXPECT_FALSE(loaded.ok()) << bad;
    if (!loaded.ok()) {
      EXPECT_THAT(loaded.status().message(), HasSubstr("api.base_url"));
    }
  }
  ConfigInputs ok = Isolated(dir);
  ok.flags["api.base_url"] = "http://127.0.0.1:8000";
  EXPECT_TRUE(LoadConfig(ok).ok());
}

TEST(IdentifierTest, HostileNames) {
  EXPECT_TRUE(IsValidIdentifier("cython_entries"));
  EXPECT_TRUE(IsValidIdentifier("_x9"));
  EXPECT_TRUE(IsValidIdentifier(std::string(63, 'a')));
  for (const std::string& bad : {std::string("x; DROP TABLE y"), std::string("\"quoted\""),
                                 std::string(""), std::string(64, 'a'),
                                 std::string("t\xc3\xa4"
                                             "ble"),
                                 std::string("9lives"), std::string("a-b"), std::string("a b"),
                                 std::string("a\0b", 3), std::string("a.b")}) {
    EXPECT_FALSE(IsValidIdentifier(bad)) << bad;
    TempDir dir;
    ConfigInputs in = Isolated(dir);
    in.flags["duckdb.table_name"] = bad;
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_THAT(loaded.status().message(), HasSubstr("duckdb.table_name: "));
  }
}

TEST(UnknownKeyTest, FileKeysWarnWithDidYouMean) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.config_path = dir.Write("c.toml",
                             "[processing]\nmax_concurent = 8\n[api]\nbatch_size = 3\n"
                             "[wholly_unrelated_section]\nzzz = 1\n");
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.processing.max_concurrent, 5);  // the typo did not apply
  const std::string w = Joined(loaded->warnings);
  EXPECT_THAT(w, HasSubstr("unknown key 'processing.max_concurent' in config file " +
                           *in.config_path + ":2:"));
  EXPECT_THAT(w, HasSubstr("did you mean 'processing.max_concurrent'?"));
  EXPECT_THAT(w, HasSubstr("'api.batch_size'"));
  EXPECT_THAT(w, HasSubstr("did you mean 'processing.batch_size'?"));
  EXPECT_THAT(w, HasSubstr("'wholly_unrelated_section.zzz'"));
  EXPECT_EQ(loaded->warnings.size(), 3u);
}

TEST(UnknownKeyTest, ScalarWhereSectionExpectedAndTableWhereScalarExpected) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.config_path = dir.Write("c.json", R"({"api": 5})");
  auto scalar = LoadConfig(in);
  ASSERT_FALSE(scalar.ok());
  EXPECT_THAT(scalar.status().message(), HasSubstr("api: expected a table"));

  in.config_path = dir.Write("d.json", R"({"api": {"timeout": {"seconds": 5}}})");
  auto table = LoadConfig(in);
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr("api.timeout: a table is not allowed"));
}

TEST(UnknownKeyTest, UnflaggableOrUnknownFlagKeysAreErrors) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.flags["processing.max_concurent"] = "3";
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("did you mean 'processing.max_concurrent'"));
}

TEST(EnvTest, UnknownVariablesWarnOnlyWhenTheyLookLikeKeys) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_PROCESSING_MAX_CONCURENT"] = "8";
  in.env["CNAKE_BASE_URL"] = "http://x";
  in.env["CNAKE_LOGGING_COLOUR"] = "1";
  in.env["CNAKE_CONFIG"] = "";
  in.env["CNAKE_SERVER_PORT"] = "9000";
  in.env["CNAKE_TEST_SEED"] = "1";
  in.env["CNAKE_HOMEBREW_PREFIX"] = "/opt";
  in.env["PATH"] = "/bin";
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const std::string w = Joined(loaded->warnings);
  EXPECT_THAT(w, HasSubstr("unknown environment variable CNAKE_PROCESSING_MAX_CONCURENT; did you "
                           "mean 'CNAKE_PROCESSING_MAX_CONCURRENT'?"));
  EXPECT_THAT(w, HasSubstr("CNAKE_BASE_URL; did you mean 'CNAKE_API_BASE_URL'?"));
  EXPECT_THAT(w, HasSubstr("unknown environment variable CNAKE_LOGGING_COLOUR"));
  EXPECT_EQ(loaded->warnings.size(), 3u) << w;
}

TEST(EnvTest, ValuesAreParsedStrictly) {
  TempDir dir;
  struct Case {
    std::string var, value, phrase;
  };
  const Case bad[] = {
      {"CNAKE_PROCESSING_MAX_CONCURRENT", "8x", "\"8x\" is not an integer"},
      {"CNAKE_PROCESSING_MAX_CONCURRENT", "true", "\"true\" is not an integer"},
      {"CNAKE_PROCESSING_MAX_CONCURRENT", " 8", "\" 8\" is not an integer"},
      {"CNAKE_PROCESSING_BATCH_SIZE", "2.5", "\"2.5\" is not an integer"},
      {"CNAKE_API_TIMEOUT", "30s", "\"30s\" is not a number"},
      {"CNAKE_API_TIMEOUT", "nan", "\"nan\""},
  };
  for (const Case& c : bad) {
    ConfigInputs in = Isolated(dir);
    in.env[c.var] = c.value;
    auto loaded = LoadConfig(in);
    ASSERT_FALSE(loaded.ok()) << c.value;
    EXPECT_THAT(loaded.status().message(), HasSubstr(c.phrase));
    EXPECT_THAT(loaded.status().message(), HasSubstr("(from env " + c.var + ")"));
  }
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_API_TIMEOUT"] = "1e1";
  in.env["CNAKE_PROCESSING_MAX_CONCURRENT"] = "";  // empty = unset
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.api.timeout, 10.0);
  EXPECT_EQ(loaded->source.at("processing.max_concurrent"), "default");
}

TEST(EnvTest, EnvNamesFollowOneRuleAndAreUnique) {
  std::set<std::string> names;
  for (const KeyDescriptor& key : KeyTable()) {
    std::string expected = "CNAKE_";
    for (char c : key.path) expected += c == '.' ? '_' : static_cast<char>(std::toupper(c));
    EXPECT_EQ(key.EnvName(), expected);
    EXPECT_TRUE(names.insert(key.EnvName()).second) << key.EnvName();
  }
  EXPECT_EQ(FindKey("processing.rate_limit.requests_per_minute")->EnvName(),
            "CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE");
  EXPECT_EQ(names.count(std::string(kApiKeyEnvAlias)), 0u);
}

TEST(LocateTest, DefaultLookupOrder) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  EXPECT_EQ(LocateConfigFile(in), std::nullopt);

  const std::string home_xdg = dir.Write("home/.config/cnake-charmer/config.yaml", "{}\n");
  EXPECT_EQ(LocateConfigFile(in), home_xdg);
  const std::string home_toml = dir.Write("home/.config/cnake-charmer/config.toml", "");
  EXPECT_EQ(LocateConfigFile(in), home_toml);  // toml before yaml

  in.env["XDG_CONFIG_HOME"] = (dir.path() / "xdg").string();
  EXPECT_EQ(LocateConfigFile(in), std::nullopt);  // XDG_CONFIG_HOME replaces ~/.config
  const std::string xdg_json = dir.Write("xdg/cnake-charmer/config.json", "{}");
  EXPECT_EQ(LocateConfigFile(in), xdg_json);
  in.env["XDG_CONFIG_HOME"] = "relative/xdg";  // invalid per the spec: ignored
  EXPECT_EQ(LocateConfigFile(in), home_toml);

  const std::string cwd_json = dir.Write("cnake-charmer.json", "{}");
  EXPECT_EQ(LocateConfigFile(in), cwd_json);  // the working directory first
  const std::string cwd_yml = dir.Write("cnake-charmer.yml", "");
  EXPECT_EQ(LocateConfigFile(in), cwd_yml);
  const std::string cwd_toml = dir.Write("cnake-charmer.toml", "");
  EXPECT_EQ(LocateConfigFile(in), cwd_toml);

  in.env["CNAKE_CONFIG"] = "/elsewhere/c.toml";
  EXPECT_EQ(LocateConfigFile(in), "/elsewhere/c.toml");
  in.config_path = "explicit.json";
  EXPECT_EQ(LocateConfigFile(in), "explicit.json");

  // And LoadConfig really uses the located file.
  ConfigInputs load = Isolated(dir);
  dir.Write("cnake-charmer.toml", "[processing]\nbatch_size = 7\n");
  auto loaded = LoadConfig(load);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.processing.batch_size, 7);
  EXPECT_EQ(loaded->file, cwd_toml);
  EXPECT_EQ(loaded->source.at("processing.batch_size"), "file " + cwd_toml);
}

TEST(LocateTest, ExplicitMissingFileIsAnErrorNamingThePath) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.config_path = "missing.toml";
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr("cannot read config file missing.toml"));

  ConfigInputs env = Isolated(dir);
  env.env["CNAKE_CONFIG"] = (dir.path() / "gone.yaml").string();
  auto from_env = LoadConfig(env);
  ASSERT_FALSE(from_env.ok());
  EXPECT_THAT(from_env.status().message(), HasSubstr("gone.yaml"));

  ConfigInputs ext = Isolated(dir);
  ext.config_path = dir.Write("c.conf", "");
  auto bad_ext = LoadConfig(ext);
  ASSERT_FALSE(bad_ext.ok());
  EXPECT_THAT(bad_ext.status().message(), HasSubstr("allowed: .json, .toml, .yaml, .yml"));

  ConfigInputs broken = Isolated(dir);
  broken.config_path = dir.Write("b.toml", "[api]\ntimeout = = 3\n");
  auto parse = LoadConfig(broken);
  ASSERT_FALSE(parse.ok());
  EXPECT_THAT(parse.status().message(), HasSubstr(*broken.config_path + ":2:"));
}

TEST(RenderTest, ListsEveryKeyWithValueAndSourceAligned) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.flags["processing.max_concurrent"] = "9";
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok());
  const std::string out = RenderEffectiveConfig(*loaded);
  EXPECT_THAT(out, HasSubstr("config file: none"));
  size_t equals_column = std::string::npos;
  for (const KeyDescriptor& key : KeyTable()) {
    const size_t at = out.find("\n" + key.path + " ");
    ASSERT_NE(at, std::string::npos) << key.path;
    const std::string line = out.substr(at + 1, out.find('\n', at + 1) - at - 1);
    const size_t eq = line.find(" = ");
    if (equals_column == std::string::npos) equals_column = eq;
    EXPECT_EQ(eq, equals_column) << line;
    EXPECT_THAT(line, HasSubstr("# " + loaded->source.at(key.path)));
  }
  EXPECT_THAT(out, HasSubstr("9"));
  EXPECT_THAT(out, HasSubstr("# flag --max-concurrent"));
  EXPECT_THAT(out, HasSubstr("\"http://localhost:8000/api\""));
  EXPECT_THAT(out, HasSubstr("(unset)"));
}

}  // namespace
}  // namespace cnake
