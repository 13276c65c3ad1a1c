#include "config/secret.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cnake {
namespace {

TEST(SecretTest, StreamAndFmtNeverShowTheValue) {
  const Secret secret("hunter2-canary");
  std::ostringstream os;
  os << secret;
  EXPECT_EQ(os.str(), "***");
  EXPECT_EQ(fmt::format("{}", secret), "***");
  EXPECT_EQ(fmt::format("key={:>5}", secret), "key=  ***");
  EXPECT_EQ(secret.reveal(), "hunter2-canary");
}

TEST(SecretTest, EmptySecretAlsoPrintsStars) {
  std::ostringstream os;
  os << Secret();
  EXPECT_EQ(os.str(), "***");
  EXPECT_TRUE(Secret().empty());
  EXPECT_FALSE(Secret("x").empty());
}

TEST(SecretTest, FingerprintIsSha256Prefix) {
  // SHA-256("abc") = ba7816bf8f01cfea... (FIPS 180-2 test vector).
  EXPECT_EQ(Secret("abc").Fingerprint(), "sha256:ba7816bf");
  EXPECT_EQ(Secret("").Fingerprint(), "");
  EXPECT_NE(Secret("abd").Fingerprint(), Secret("abc").Fingerprint());
}

}  // namespace
}  // namespace cnake
