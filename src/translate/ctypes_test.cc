#include "translate/ctypes.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

std::string Map(std::string_view type, const TypeContext& ctx = {}) {
  return MapType(ParseCType(type), ctx).value_or("<none>");
}

TEST(CTypesTest, ParsesQualifiersPointersAndMemoryviews) {
  CType t = ParseCType("const unsigned long long*");
  EXPECT_EQ(t.base, "unsigned long long");
  EXPECT_EQ(t.pointer_depth, 1);
  EXPECT_TRUE(t.is_const);
  EXPECT_EQ(ParseCType("double[:, ::1]").memview_dims, 2);
  EXPECT_EQ(ParseCType("vector[pair[int, double]]").template_args,
            (std::vector<std::string>{"pair[int, double]"}));
  EXPECT_TRUE(ParseCType("1 + 2").empty());
  EXPECT_TRUE(ParseCType("foo bar").empty());  // two non-C words are not one type
}

TEST(CTypesTest, ScalarMapping) {
  for (const char* t : {"int", "long", "short", "size_t", "Py_ssize_t", "long long", "unsigned int",
                        "unsigned", "int64_t", "uint8_t", "cnp.intp_t", "char"}) {
    EXPECT_EQ(Map(t), "int") << t;
  }
  for (const char* t : {"float", "double", "long double", "cnp.float64_t", "np.float32_t"}) {
    EXPECT_EQ(Map(t), "float") << t;
  }
  EXPECT_EQ(Map("bint"), "bool");
  EXPECT_EQ(Map("double complex"), "complex");
  EXPECT_EQ(Map("void"), "None");
  for (const char* t : {"object", "list", "dict", "str", "tuple", "bytes"}) EXPECT_EQ(Map(t), t);
  EXPECT_EQ(Map("unicode"), "str");
}

TEST(CTypesTest, PointersArraysAndMemoryviews) {
  EXPECT_EQ(Map("char*"), "bytes");
  EXPECT_EQ(Map("const char*"), "bytes");
  EXPECT_EQ(Map("char**"), "list[bytes]");
  EXPECT_EQ(Map("double*"), "list[float]");
  EXPECT_EQ(Map("void*"), "<none>");
  EXPECT_EQ(Map("double[:]"), "list[float]");
  EXPECT_EQ(Map("int[:, :]"), "list[list[int]]");
  EXPECT_EQ(Map("double[::1]"), "list[float]");
  EXPECT_EQ(Map("vector[int]"), "list[int]");
  EXPECT_EQ(Map("map[string, double]"), "dict[bytes, float]");
}

TEST(CTypesTest, UnknownTypesGiveNoHint) {
  EXPECT_EQ(Map("timespec"), "<none>");
  EXPECT_EQ(Map("cnp.ndarray"), "<none>");  // numpy not imported under that name
  TypeContext ctx;
  ctx.numpy_aliases.insert("np");
  EXPECT_EQ(Map("np.ndarray[np.float64_t, ndim=2]", ctx), "np.ndarray");
}

TEST(CTypesTest, ModuleTypesAndAliases) {
  TypeContext ctx;
  ctx.structs.insert("Point");
  ctx.classes.insert("Vector");
  ctx.enums.insert("Color");
  ctx.aliases["u64"] = ParseCType("unsigned long long");
  ctx.aliases["real"] = ParseCType("double");
  EXPECT_EQ(Map("Point", ctx), "Point");
  EXPECT_EQ(Map("Point*", ctx), "<none>");
  EXPECT_EQ(Map("Vector", ctx), "Vector");
  EXPECT_EQ(Map("u64", ctx), "int");
  EXPECT_EQ(Map("real[:]", ctx), "list[float]");
  EXPECT_EQ(ZeroValue(ParseCType("Point"), ctx), "Point()");
  EXPECT_EQ(ZeroValue(ParseCType("real"), ctx), "0.0");
  EXPECT_EQ(CastFunction(ParseCType("Color"), ctx), "Color");
  EXPECT_EQ(CastFunction(ParseCType("u64"), ctx), "int");
  EXPECT_EQ(CastFunction(ParseCType("double*"), ctx), "");
}

TEST(CTypesTest, AliasCyclesTerminate) {
  TypeContext ctx;
  ctx.aliases["a"] = ParseCType("b");
  ctx.aliases["b"] = ParseCType("a");
  EXPECT_EQ(Map("a", ctx), "<none>");
}

TEST(CTypesTest, SizeOf) {
  TypeContext ctx;
  EXPECT_EQ(SizeOf(ParseCType("double"), ctx), 8);
  EXPECT_EQ(SizeOf(ParseCType("int"), ctx), 4);
  EXPECT_EQ(SizeOf(ParseCType("char*"), ctx), 8);
  EXPECT_EQ(SizeOf(ParseCType("uint16_t"), ctx), 2);
  EXPECT_EQ(SizeOf(ParseCType("Point"), ctx), std::nullopt);
}

}  // namespace
}  // namespace cnake::translate
