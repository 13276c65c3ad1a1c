#include "config/key_table.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace cnake {
namespace {

TEST(KeyTableTest, PathsAreUniqueAndDocumented) {
  std::set<std::string> paths;
  for (const KeyDescriptor& key : KeyTable()) {
    EXPECT_TRUE(paths.insert(key.path).second) << key.path;
    EXPECT_FALSE(key.description.empty()) << key.path;
    EXPECT_FALSE(key.allowed.empty()) << key.path;
    EXPECT_EQ(FindKey(key.path), &key);
    // The default passes the key's own validator.
    EXPECT_EQ(key.check(key.get(Config())), "") << key.path;
  }
  EXPECT_EQ(AllConfigKeys().size(), KeyTable().size());
  EXPECT_EQ(FindKey("api"), nullptr);
  EXPECT_TRUE(IsConfigSection("processing.rate_limit"));
  EXPECT_TRUE(IsConfigSection("api"));
  EXPECT_FALSE(IsConfigSection("api.timeout"));
  EXPECT_FALSE(IsConfigSection("ap"));
}

TEST(KeyTableTest, CliFlagsMapToTheAgreedKeys) {
  const std::map<std::string, std::string> expected = {
      {"--db-path", "duckdb.db_path"},
      {"--batch-size", "processing.batch_size"},
      {"--max-concurrent", "processing.max_concurrent"},
      {"--rpm", "processing.rate_limit.requests_per_minute"},
      {"--base-url", "api.base_url"},
      {"--ca-file", "api.ca_file"},
      {"--log-level", "logging.level"},
      {"--log-file", "logging.file"},
      {"--log-format", "logging.format"},
      {"--table", "duckdb.table_name"},
      {"--result-table", "duckdb.result_table"},
      {"--job-timeout", "processing.job_timeout"},
  };
  std::map<std::string, std::string> actual;
  for (const KeyDescriptor& key : KeyTable()) {
    if (!key.flag.empty()) actual[key.flag] = key.path;
  }
  EXPECT_EQ(actual, expected);
  EXPECT_TRUE(FindKey("api.api_key")->flag_forbidden);
}

TEST(KeyTableTest, SetterAndGetterRoundTrip) {
  Config config;
  const KeyDescriptor* burst = FindKey("processing.rate_limit.burst");
  burst->set(config, Value(int64_t{17}));
  EXPECT_EQ(config.processing.rate_limit.burst, 17);
  EXPECT_EQ(std::get<int64_t>(burst->get(config)), 17);
  const KeyDescriptor* key = FindKey("api.api_key");
  key->set(config, Value(std::string("s3cret")));
  EXPECT_EQ(config.api.api_key.reveal(), "s3cret");
  EXPECT_EQ(key->type, ValueType::kSecret);
}

std::string ReadDocs() {
  std::ifstream in(std::string(CNAKE_SOURCE_DIR) + "/docs/config.md");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// docs/config.md is hand-written; this keeps it in step with the table and
// guarantees its example files are ones the loader accepts (they are the
// files in testdata/, which config_file_test loads).
TEST(DocsTest, EveryKeyEnvVarAndFlagIsDocumented) {
  const std::string docs = ReadDocs();
  ASSERT_FALSE(docs.empty()) << "docs/config.md missing";
  for (const KeyDescriptor& key : KeyTable()) {
    EXPECT_NE(docs.find("`" + key.path + "`"), std::string::npos) << key.path;
    EXPECT_NE(docs.find("`" + key.EnvName() + "`"), std::string::npos) << key.EnvName();
    if (!key.flag.empty()) {
      // In the "Command-line flags" table, not only in the key reference.
      EXPECT_NE(docs.find("| `" + key.flag + "` | `" + key.path + "` |"), std::string::npos)
          << key.flag;
    }
    EXPECT_NE(docs.find(key.allowed), std::string::npos) << key.path << ": " << key.allowed;
  }
  EXPECT_NE(docs.find(std::string(kApiKeyEnvAlias)), std::string::npos);
}

TEST(DocsTest, ExampleFilesAreTheTestedOnes) {
  const std::string docs = ReadDocs();
  for (const char* name : {"config.json", "config.toml", "config.yaml"}) {
    std::ifstream in(std::string(CNAKE_SOURCE_DIR) + "/src/config/testdata/" + name);
    std::ostringstream ss;
    ss << in.rdbuf();
    ASSERT_FALSE(ss.str().empty()) << name;
    EXPECT_NE(docs.find(ss.str()), std::string::npos) << name << " is not quoted verbatim";
  }
}

}  // namespace
}  // namespace cnake
