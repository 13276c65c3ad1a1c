// api.ca_file: checked when the configuration loads, so a CA file that cannot
// be used fails with the key's name instead of a TLS error on the first request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "config/config_loader.h"
#include "config/test_util.h"

namespace cnake {
namespace {

using testing::HasSubstr;
using testing_util::Isolated;
using testing_util::TempDir;

TEST(CaFileTest, MustBeReadablePemAndBecomesAbsolute) {
  TempDir dir;
  ConfigInputs missing = Isolated(dir);
  missing.flags["api.ca_file"] = "ca.pem";
  auto absent = LoadConfig(missing);
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(absent.status().message(), HasSubstr("api.ca_file: cannot read CA file"));
  EXPECT_THAT(absent.status().message(), HasSubstr("(from flag --ca-file)"));

  std::ofstream(dir.path() / "ca.pem") << "not a certificate\n";
  auto garbage = LoadConfig(missing);
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(garbage.status().message(), HasSubstr("holds no PEM certificate"));

  std::ofstream(dir.path() / "ca.pem")
      << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto loaded = LoadConfig(missing);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.api.ca_file, (dir.path() / "ca.pem").string());
}

}  // namespace
}  // namespace cnake
