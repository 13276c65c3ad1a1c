#include "util/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace cnake {
namespace {

TEST(JsonNestingDepthTest, CountsObjectsAndArraysNotScalars) {
  EXPECT_EQ(JsonNestingDepth("1", 64), 0);
  EXPECT_EQ(JsonNestingDepth(R"("x")", 64), 0);
  EXPECT_EQ(JsonNestingDepth("{}", 64), 1);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[1,{"b":[]}],"c":{}})", 64), 4);
}

TEST(JsonNestingDepthTest, BracketsInsideStringsDoNotCount) {
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[{{{"})", 64), 1);
  // An escaped quote does not end the string, so the brackets after it are text.
  EXPECT_EQ(JsonNestingDepth(R"({"a":"\"[[[[","b":[1]})", 64), 2);
  // An escaped backslash does: the bracket after the closing quote counts.
  EXPECT_EQ(JsonNestingDepth(R"({"a":"\\",  "b":[1]})", 64), 2);
}

TEST(JsonNestingDepthTest, StopsSoonAfterTheLimitOnHostileInput) {
  EXPECT_EQ(JsonNestingDepth(std::string(1000000, '['), 64), 65);
  EXPECT_EQ(JsonNestingDepth(std::string(64, '[') + std::string(64, ']'), 64), 64);
}

}  // namespace
}  // namespace cnake
