// store.url: libpq's parser decides what is a URL, a password never shows
// (messages, `config show`) and never comes from a flag.
#include "config/store_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/test_util.h"

namespace cnake {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing_util::Isolated;
using testing_util::TempDir;

TEST(StoreUrlTest, AcceptsPostgresUrisAndRejectsTheRest) {
  EXPECT_EQ(StoreUrlProblem(""), "");
  EXPECT_EQ(StoreUrlProblem("postgresql://cnake@db.example:5432/queue?sslmode=verify-full"), "");
  EXPECT_EQ(StoreUrlProblem("postgres://db/queue"), "");
  EXPECT_NE(StoreUrlProblem("host=db dbname=queue"), "") << "a URL, not a keyword string";
  EXPECT_NE(StoreUrlProblem("postgresql://db/queue?no_such_option=1"), "");
}

TEST(StoreUrlTest, FindsAndHidesPasswords) {
  EXPECT_FALSE(StoreUrlHasPassword("postgresql://cnake@db:5432/queue"));
  EXPECT_TRUE(StoreUrlHasPassword("postgresql://cnake:pw@db:5432/queue"));
  EXPECT_TRUE(StoreUrlHasPassword("postgresql://cnake@db/queue?password=pw"));
  EXPECT_EQ(RedactStoreUrl("postgresql://cnake:s3cret@db:5432/queue?sslmode=require"),
            "postgresql://cnake:***@db:5432/queue?sslmode=require");
  EXPECT_EQ(RedactStoreUrl("postgresql://cnake@db/queue?password=s3cret&sslmode=require"),
            "postgresql://cnake@db/queue?password=***&sslmode=require");
  EXPECT_EQ(RedactStoreUrl("postgresql://cnake@db:5432/queue"), "postgresql://cnake@db:5432/queue");
}

TEST(StoreUrlTest, AFlagWithAPasswordIsRefusedSayingWhereToPutIt) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.flags["store.url"] = "postgresql://cnake:s3cret-canary@db/queue";
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("PGPASSWORD"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("CNAKE_STORE_URL"));
  EXPECT_THAT(loaded.status().message(), Not(HasSubstr("s3cret-canary")));
  in.flags["store.url"] = "postgresql://cnake@db/queue";
  auto ok = LoadConfig(in);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->config.store.url, "postgresql://cnake@db/queue");
}

TEST(StoreUrlTest, APasswordFromTheEnvironmentWorksAndNeverShows) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_STORE_URL"] = "postgresql://cnake:s3cret-canary@db/queue";
  auto loaded = LoadConfig(in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.store.url, "postgresql://cnake:s3cret-canary@db/queue");
  EXPECT_THAT(RenderEffectiveConfig(*loaded), Not(HasSubstr("s3cret-canary")));
  EXPECT_THAT(RenderEffectiveConfig(*loaded), HasSubstr("postgresql://cnake:***@db/queue"));
  in.env["CNAKE_STORE_URL"] = "postgresql://cnake:s3cret-canary@db/queue?bogus=1";
  auto bad = LoadConfig(in);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("s3cret-canary")));
}

TEST(StoreUrlTest, RenewIntervalMustLeaveSeveralHeartbeatsPerLease) {
  TempDir dir;
  ConfigInputs in = Isolated(dir);
  in.env["CNAKE_STORE_LEASE_TIME"] = "10";
  in.env["CNAKE_STORE_RENEW_INTERVAL"] = "5";
  auto loaded = LoadConfig(in);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("store.renew_interval"));
}

}  // namespace
}  // namespace cnake
