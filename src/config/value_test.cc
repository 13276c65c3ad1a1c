#include "config/value.h"

#include <gtest/gtest.h>

namespace cnake {
namespace {

TEST(ParseValueTextTest, IntegersAreStrict) {
  EXPECT_EQ(std::get<int64_t>(ParseValueText(ValueType::kInt, "8").value()), 8);
  EXPECT_EQ(std::get<int64_t>(ParseValueText(ValueType::kInt, "-3").value()), -3);
  for (const char* bad : {"8x", "", " 8", "8 ", "2.5", "+8", "0x10", "1e3", "eight"}) {
    EXPECT_FALSE(ParseValueText(ValueType::kInt, bad).ok()) << bad;
  }
  EXPECT_EQ(ParseValueText(ValueType::kInt, "99999999999999999999").status().message(),
            "is out of range");
}

TEST(ParseValueTextTest, NumbersAreStrictAndFinite) {
  EXPECT_DOUBLE_EQ(std::get<double>(ParseValueText(ValueType::kDouble, "2.5").value()), 2.5);
  EXPECT_DOUBLE_EQ(std::get<double>(ParseValueText(ValueType::kDouble, "1e3").value()), 1000);
  EXPECT_DOUBLE_EQ(std::get<double>(ParseValueText(ValueType::kDouble, "60").value()), 60);
  for (const char* bad : {"", "1.5s", "nan", "inf", "-inf", " 1", "1,5", "0x1p3"}) {
    EXPECT_FALSE(ParseValueText(ValueType::kDouble, bad).ok()) << bad;
  }
}

TEST(ParseValueTextTest, BooleansAreTrueOrFalseOnly) {
  EXPECT_TRUE(std::get<bool>(ParseValueText(ValueType::kBool, "true").value()));
  EXPECT_FALSE(std::get<bool>(ParseValueText(ValueType::kBool, "false").value()));
  for (const char* bad : {"1", "yes", "True", "on", ""}) {
    EXPECT_FALSE(ParseValueText(ValueType::kBool, bad).ok()) << bad;
  }
}

TEST(ParseValueTextTest, ErrorsNeverEchoTheText) {
  auto r = ParseValueText(ValueType::kInt, "secret-canary");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("canary"), std::string::npos);
}

TEST(FormatValueTest, TomlLikeLiterals) {
  EXPECT_EQ(FormatValue(ValueType::kString, Value(std::string("a\"b\n"))), "\"a\\\"b\\n\"");
  EXPECT_EQ(FormatValue(ValueType::kInt, Value(int64_t{7})), "7");
  EXPECT_EQ(FormatValue(ValueType::kDouble, Value(0.5)), "0.5");
  EXPECT_EQ(FormatValue(ValueType::kSecret, Value(std::string("canary"))), "***");
}

}  // namespace
}  // namespace cnake
