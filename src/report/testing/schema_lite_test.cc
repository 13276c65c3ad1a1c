#include "report/testing/schema_lite.h"

#include <gtest/gtest.h>

namespace cnake::report::testing {
namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({
  "type": "object",
  "required": ["a", "b"],
  "additionalProperties": false,
  "properties": {
    "a": {"type": "integer", "minimum": 0},
    "b": {"type": ["string", "null"], "enum": ["x", "y", null]},
    "c": {"type": "array", "items": {"$ref": "#/$defs/item"}}
  },
  "$defs": {"item": {"type": "object", "required": ["n"], "properties": {"n": {"type": "number"}}}}
})");

TEST(SchemaLite, AcceptsValidDocuments) {
  SchemaLite v(kSchema);
  EXPECT_TRUE(v.Validate(json::parse(R"({"a": 1, "b": null, "c": [{"n": 1.5}]})")).empty());
  EXPECT_TRUE(v.Validate(json::parse(R"({"a": 0, "b": "y"})")).empty());
}

TEST(SchemaLite, ReportsEachViolationWithItsPath) {
  SchemaLite v(kSchema);
  auto errors = v.Validate(json::parse(R"({"a": -1, "c": [{"n": "s"}, {}], "d": 1})"));
  const std::string all = json(errors).dump();
  EXPECT_NE(all.find(": missing required b"), std::string::npos) << all;
  EXPECT_NE(all.find("/a: below minimum"), std::string::npos) << all;
  EXPECT_NE(all.find("/c/0/n: expected type"), std::string::npos) << all;
  EXPECT_NE(all.find("/c/1: missing required n"), std::string::npos) << all;
  EXPECT_NE(all.find("/d: not allowed"), std::string::npos) << all;
  EXPECT_EQ(errors.size(), 5u) << all;
  EXPECT_FALSE(v.Validate(json::parse(R"({"a": 1, "b": "z"})")).empty());
  EXPECT_FALSE(v.Validate(json::parse(R"({"a": 1.5, "b": "x"})")).empty());
}

TEST(SchemaLite, UnsupportedKeywordsAreErrors) {
  SchemaLite v(json::parse(R"({"type": "string", "pattern": "^a"})"));
  EXPECT_FALSE(v.Validate("abc").empty());
}

}  // namespace
}  // namespace cnake::report::testing
