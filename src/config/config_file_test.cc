#include "config/config_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config_loader.h"
#include "config/test_util.h"

namespace cnake {
namespace {

using testing_util::TempDir;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(CNAKE_SOURCE_DIR) + "/src/config/testdata/" + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Loads testdata/<name> as the only config source, from a temp cwd that holds
// the api key file the examples point at.
LoadedConfig LoadExample(const std::string& name, const TempDir& dir) {
  const std::string path = dir.Write(name, ReadTestdata(name));
  dir.Write("secrets/cnake_api_key", "example-key\n", 0600);
  dir.Write("certs/company-ca.pem",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  ConfigInputs inputs;
  inputs.cwd = dir.path();
  inputs.config_path = path;
  auto loaded = LoadConfig(inputs);
  EXPECT_TRUE(loaded.ok()) << name << ": " << loaded.status().message();
  return loaded.ok() ? *loaded : LoadedConfig{};
}

TEST(ConfigFileTest, AllThreeFormatsLoadToTheSameConfig) {
  TempDir dir;
  const LoadedConfig toml = LoadExample("config.toml", dir);
  const LoadedConfig json = LoadExample("config.json", dir);
  const LoadedConfig yaml = LoadExample("config.yaml", dir);
  EXPECT_EQ(toml.config, json.config);
  EXPECT_EQ(toml.config, yaml.config);
  EXPECT_TRUE(toml.warnings.empty()) << toml.warnings.front();
  EXPECT_TRUE(json.warnings.empty()) << json.warnings.front();
  EXPECT_TRUE(yaml.warnings.empty()) << yaml.warnings.front();

  // The example sets every key to a non-default value, so a key the parser
  // dropped would show up here.
  const Config defaults;
  for (const KeyDescriptor& key : KeyTable()) {
    EXPECT_NE(key.get(toml.config), key.get(defaults)) << key.path;
    const std::string expected_source =
        key.path == "api.api_key" ? "key file secrets/cnake_api_key" : "file " + *yaml.file;
    EXPECT_EQ(yaml.source.at(key.path), expected_source) << key.path;
  }
  EXPECT_EQ(toml.config.processing.rate_limit.requests_per_minute, 120);
  EXPECT_EQ(toml.config.processing.rate_limit.burst, 10);
  EXPECT_EQ(toml.config.api.timeout, 45.5);
  EXPECT_EQ(toml.config.logging.level, "debug");  // normalised from "DEBUG"
  EXPECT_EQ(toml.config.api.api_key.reveal(), "example-key");
  EXPECT_EQ(toml.config.api.ca_file, (dir.path() / "certs/company-ca.pem").string());
}

TEST(ConfigFileTest, FormatFromExtension) {
  EXPECT_EQ(FileFormatForPath("a/b.JSON").value(), FileFormat::kJson);
  EXPECT_EQ(FileFormatForPath("c.toml").value(), FileFormat::kToml);
  EXPECT_EQ(FileFormatForPath("c.yml").value(), FileFormat::kYaml);
  EXPECT_EQ(FileFormatForPath("c.yaml").value(), FileFormat::kYaml);
  auto bad = FileFormatForPath("settings.ini");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("settings.ini"), std::string::npos);
  EXPECT_NE(bad.status().message().find(".json, .toml, .yaml, .yml"), std::string::npos);
  EXPECT_FALSE(FileFormatForPath("noextension").ok());
}

TEST(ConfigFileTest, SyntaxErrorsNameFileLineAndColumn) {
  struct Case {
    FileFormat format;
    std::string text;
    std::string location;
  };
  const Case cases[] = {
      {FileFormat::kJson, "{\n  \"api\": {\n    \"timeout\": 30,,\n  }\n}\n", "f:3:"},
      {FileFormat::kToml, "[api]\ntimeout = 30\nbase_url = \n", "f:3:"},
      {FileFormat::kYaml, "api:\n  timeout: 30\n  base_url: [a,\n", "f:"},
  };
  for (const Case& c : cases) {
    auto r = ParseConfigText(c.format, c.text, "f");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("config file " + c.location, 0), 0u)
        << r.status().message();
  }
}

TEST(ConfigFileTest, TopLevelMustBeATable) {
  EXPECT_FALSE(ParseConfigText(FileFormat::kJson, "[1, 2]", "f").ok());
  EXPECT_FALSE(ParseConfigText(FileFormat::kYaml, "- a\n- b\n", "f").ok());
  auto empty_yaml = ParseConfigText(FileFormat::kYaml, "", "f");
  ASSERT_TRUE(empty_yaml.ok());
  EXPECT_TRUE(empty_yaml->empty());
}

TEST(ConfigFileTest, FlattensAndKeepsTypes) {
  auto r = ParseConfigText(FileFormat::kYaml,
                           "a:\n  b:\n    c: 5\n  s: \"5\"\n  n: ~\n  l: [1]\n  e: {}\n", "f");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].path, "a.b.c");
  EXPECT_EQ((*r)[0].value.kind, FileValue::Kind::kText);  // plain YAML: typed by the key
  EXPECT_EQ((*r)[0].value.line, 3);
  EXPECT_EQ((*r)[1].value.kind, FileValue::Kind::kString);  // quoted YAML
  EXPECT_EQ((*r)[2].value.kind, FileValue::Kind::kNull);
  EXPECT_EQ((*r)[3].value.kind, FileValue::Kind::kArray);
  EXPECT_EQ((*r)[4].value.kind, FileValue::Kind::kTable);

  auto toml = ParseConfigText(FileFormat::kToml, "[z]\nb = 1\n[a]\nf = 2.5\n", "f");
  ASSERT_TRUE(toml.ok());
  ASSERT_EQ(toml->size(), 2u);
  EXPECT_EQ((*toml)[0].path, "z.b");  // document order, not key order
  EXPECT_EQ((*toml)[0].value.kind, FileValue::Kind::kInt);
  EXPECT_EQ((*toml)[1].value.kind, FileValue::Kind::kFloat);
}

TEST(ReadSmallFileTest, ErrorsNameThePath) {
  TempDir dir;
  auto missing = ReadSmallFile("nope.toml", "config file", 100, dir.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("config file nope.toml"), std::string::npos);
  auto directory = ReadSmallFile(dir.path(), "config file", 100);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.status().message().find("directory"), std::string::npos);
  dir.Write("big", std::string(200, 'x'));
  EXPECT_FALSE(ReadSmallFile("big", "config file", 100, dir.path()).ok());
  dir.Write("small", "hello", 0640);
  auto small = ReadSmallFile("small", "config file", 100, dir.path());
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->data, "hello");
  EXPECT_EQ(small->mode & 0777, 0640u);
}

}  // namespace
}  // namespace cnake
