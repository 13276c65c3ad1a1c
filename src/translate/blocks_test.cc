#include "translate/blocks.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(BlocksTest, StructBecomesDataclass) {
  TypeContext ctx;
  ctx.structs = {"Point", "Box"};
  RenderedBlock b = RenderStruct(
      "Box", {"Point lo, hi", "double weights[4]", "int* next", "int (*cb)(int)"}, false, ctx);
  EXPECT_EQ(Join(b.lines),
            "@dataclass\n"
            "class Box:\n"
            "    lo: Point = field(default_factory=Point)\n"
            "    hi: Point = field(default_factory=Point)\n"
            "    weights: list[float] = field(default_factory=lambda: [0.0] * 4)\n"
            "    next: list[int] = None\n"
            "    # untranslated: int (*cb)(int)\n");
  EXPECT_TRUE(b.imports.count("from dataclasses import field"));
  EXPECT_EQ(b.untranslated.size(), 1u);
  EXPECT_TRUE(b.lazy_annotations);
}

TEST(BlocksTest, EmptyStructGetsPass) {
  RenderedBlock b = RenderStruct("Empty", {}, false, {});
  EXPECT_EQ(b.lines.back(), "    pass");
}

TEST(BlocksTest, EnumValuesFollowCRules) {
  RenderedBlock b = RenderEnum("Flag", {"A", "B = 4", "C, D"});
  EXPECT_EQ(Join(b.lines),
            "class Flag(IntEnum):\n    A = 0\n    B = 4\n    C = 5\n    D = 6\n\n\n"
            "A = Flag.A\nB = Flag.B\nC = Flag.C\nD = Flag.D\n");
  RenderedBlock anon = RenderEnum("", {"SIZE = 1 << 4", "NEXT"});
  EXPECT_EQ(Join(anon.lines), "SIZE = 1 << 4\nNEXT = SIZE + 1\n");
  EXPECT_EQ(EnumMemberNames({"A, B", "C = 2"}), (std::vector<std::string>{"A", "B", "C"}));
}

TEST(BlocksTest, FusedTypes) {
  EXPECT_EQ(RenderFused("num", {"int", "long", "double"}, {}).lines,
            std::vector<std::string>{"num = TypeVar(\"num\", int, float)"});
  EXPECT_EQ(RenderFused("ints", {"int", "long long"}, {}).lines,
            std::vector<std::string>{"ints = int"});
}

TEST(BlocksTest, Typedefs) {
  EXPECT_EQ(RenderTypedef("unsigned char uint8", {}).lines,
            std::vector<std::string>{"uint8 = int"});
  EXPECT_TRUE(RenderTypedef("double (*fn_t)(double)", {}).lines.empty());
  EXPECT_TRUE(RenderTypedef("void* handle", {}).lines.empty());
}

}  // namespace
}  // namespace cnake::translate
