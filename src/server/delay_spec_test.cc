#include "server/delay_spec.h"

#include <gtest/gtest.h>

#include "server/hashing.h"

namespace cnake::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseDurationTest, AcceptsUnitsAndZero) {
  EXPECT_EQ(*ParseDuration("200ms"), milliseconds(200));
  EXPECT_EQ(*ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("250us"), Micros(250));
  EXPECT_EQ(*ParseDuration("2m"), seconds(120));
  EXPECT_EQ(*ParseDuration("0"), Micros(0));
}

TEST(ParseDurationTest, RejectsMissingUnitNegativeAndHuge) {
  EXPECT_FALSE(ParseDuration("200").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("2h").ok());
  EXPECT_FALSE(ParseDuration("90m").ok());
  EXPECT_FALSE(ParseDuration("ms").ok());
}

TEST(DelaySpecTest, RoundTripsCanonicalText) {
  for (const char* text : {"fixed:200ms", "uniform:100ms,2s", "lognormal:median=1s,sigma=0.5"}) {
    auto spec = DelaySpec::Parse(text);
    ASSERT_TRUE(spec.ok()) << text << ": " << spec.status().ToString();
    EXPECT_EQ(spec->ToString(), text);
  }
}

TEST(DelaySpecTest, RejectsMalformedSpecs) {
  EXPECT_FALSE(DelaySpec::Parse("200ms").ok());
  EXPECT_FALSE(DelaySpec::Parse("uniform:2s,1s").ok());
  EXPECT_FALSE(DelaySpec::Parse("uniform:1s").ok());
  EXPECT_FALSE(DelaySpec::Parse("lognormal:1s,0.5").ok());
  EXPECT_FALSE(DelaySpec::Parse("gamma:1s,2s").ok());
}

TEST(DelaySpecTest, FixedIsExact) {
  auto spec = *DelaySpec::Parse("fixed:200ms");
  EXPECT_EQ(spec.Sample(1), milliseconds(200));
  EXPECT_EQ(spec.Sample(99), milliseconds(200));
  EXPECT_TRUE(DelaySpec().IsZero());
}

TEST(DelaySpecTest, UniformStaysInRangeAndSpreads) {
  auto spec = *DelaySpec::Parse("uniform:100ms,2s");
  Micros lo = seconds(10), hi{0};
  for (uint64_t i = 0; i < 2000; ++i) {
    const Micros d = spec.Sample(Mix64(i));
    ASSERT_GE(d, milliseconds(100));
    ASSERT_LE(d, seconds(2));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, milliseconds(200));
  EXPECT_GT(hi, milliseconds(1900));
}

TEST(DelaySpecTest, LognormalMedianIsNearTheParameter) {
  auto spec = *DelaySpec::Parse("lognormal:median=1s,sigma=0.5");
  std::vector<int64_t> samples;
  for (uint64_t i = 0; i < 4001; ++i) samples.push_back(spec.Sample(Mix64(i)).count());
  std::nth_element(samples.begin(), samples.begin() + 2000, samples.end());
  EXPECT_NEAR(static_cast<double>(samples[2000]), 1e6, 0.1e6);
  EXPECT_EQ(spec.Sample(42), spec.Sample(42));
}

}  // namespace
}  // namespace cnake::server
