#include "translate/c_semantics.h"

#include <gtest/gtest.h>

#include "translate/expr_tree.h"

namespace cnake::translate {
namespace {

class CSemanticsTest : public ::testing::Test {
 protected:
  CSemanticsTest() {
    env_.types = &ctx_;
    env_.helpers = &helpers_;
    Declare("i", "int");
    Declare("j", "int");
    Declare("n", "long");
    Declare("u", "unsigned int");
    Declare("h", "uint32_t");
    Declare("x", "uint64_t");
    Declare("c", "unsigned char");
    Declare("d", "double");
    Declare("buf", "int*");
  }
  void Declare(const std::string& name, const std::string& type) {
    env_.var_types[name] = ParseCType(type);
  }
  std::string Apply(std::string_view s) { return ApplyCSemantics(s, env_); }

  TypeContext ctx_;
  ExprEnv env_;
  std::set<std::string> helpers_;
};

TEST(ExprTreeTest, ParsesPrecedenceAndKeepsRanges) {
  const std::string text = "a + b * <int>c[i] if not x else f(y, k=2)";
  const std::vector<Token> toks = Tokenize(text);
  ExprTree t(text, toks, 0, toks.size());
  ASSERT_GE(t.root(), 0);
  const ExprNode& root = t.node(t.root());
  EXPECT_EQ(root.kind, NodeKind::kTernary);
  const ExprNode& sum = t.node(root.kids[0]);
  EXPECT_EQ(sum.kind, NodeKind::kBinary);
  EXPECT_EQ(sum.op, "+");
  EXPECT_EQ(t.Source(sum.kids[1]), "b * <int>c[i]");
  EXPECT_EQ(t.node(t.node(sum.kids[1]).kids[1]).kind, NodeKind::kCast);
}

TEST(ExprTreeTest, UnparsableTextHasNoRoot) {
  const std::string text = "lambda: 1";
  const std::vector<Token> toks = Tokenize(text);
  EXPECT_LT(ExprTree(text, toks, 0, toks.size()).root(), 0);
}

TEST_F(CSemanticsTest, DivisionKeepsPythonMeaningWithoutCdivision) {
  EXPECT_EQ(Apply("j = i // 2"), "j = i // 2");
  EXPECT_EQ(Apply("d = i / j"), "d = i / j");
  EXPECT_TRUE(helpers_.empty());
}

TEST_F(CSemanticsTest, CdivisionTruncatesSignedAndSimplifiesUnsigned) {
  env_.cdivision = true;
  EXPECT_EQ(Apply("j = i / 2"), "j = _c_div(i, 2)");
  EXPECT_EQ(Apply("j = i % j"), "j = _c_mod(i, j)");
  EXPECT_EQ(Apply("u = u / 10"), "u = u // 10");
  EXPECT_EQ(Apply("j /= 3"), "j = _c_div(j, 3)");
  EXPECT_EQ(Apply("d = d / 2"), "d = d / 2");  // float division is untouched
  EXPECT_TRUE(helpers_.count("_c_div") && helpers_.count("_c_mod"));
}

TEST_F(CSemanticsTest, UnsignedArithmeticIsMaskedWhereCTruncates) {
  EXPECT_EQ(Apply("h = h * 16777619"), "h = (h * 16777619) & 0xFFFFFFFF");
  EXPECT_EQ(Apply("h *= 16777619"), "h = (h * 16777619) & 0xFFFFFFFF");
  EXPECT_EQ(Apply("x ^= x << 13"), "x = (x ^ (x << 13)) & 0xFFFFFFFFFFFFFFFF");
  EXPECT_EQ(Apply("c = c + i"), "c = (c + i) & 0xFF");
  // Observed before a shift: the product must be truncated first.
  EXPECT_EQ(Apply("j = (u * u) >> 16"), "j = ((u * u) & 0xFFFFFFFF) >> 16");
  // Counters and masks are left alone.
  EXPECT_EQ(Apply("u += 1"), "u += 1");
  EXPECT_EQ(Apply("j = (h >> 16) & 255"), "j = (h >> 16) & 255");
}

TEST_F(CSemanticsTest, SignedOverflowWrapsOnlyForRepeatedOrLargeProducts) {
  EXPECT_EQ(Apply("i = 31 * i + j"), "i = _wrap_i32(31 * i + j)");
  EXPECT_EQ(Apply("j = i * i"), "j = i * i");
  EXPECT_EQ(Apply("n = n * 2"), "n = n * 2");
}

TEST_F(CSemanticsTest, IntsBecomeFloatsWhereCConvertsToDouble) {
  EXPECT_EQ(Apply("d = i"), "d = float(i)");
  EXPECT_EQ(CoerceInitializer("0", ParseCType("double"), env_), "0.0");
  env_.return_type = ParseCType("double");
  EXPECT_EQ(Apply("return i * j"), "return float(i * j)");
}

TEST_F(CSemanticsTest, PointerArithmeticUsesPtrViews) {
  Declare("p", "int*");
  EXPECT_EQ(Apply("p = buf + i"), "p = _ptr_add(buf, i)");
  EXPECT_EQ(Apply("p += 1"), "p = _ptr_add(p, 1)");
  EXPECT_EQ(Apply("f(&buf[i])"), "f(_ptr_add(buf, i))");
  EXPECT_EQ(Apply("f(&buf[0])"), "f(buf)");
}

TEST_F(CSemanticsTest, PythonObjectsAreLeftAlone) {
  env_.cdivision = true;
  EXPECT_EQ(Apply("y = a / b"), "y = a / b");
  EXPECT_EQ(Apply("total += value * 31"), "total += value * 31");
}

TEST_F(CSemanticsTest, DeclaredTypesOfExpressions) {
  Declare("m", "double[:, :]");
  EXPECT_EQ(DeclaredTypeOf("m[i, j]", env_).base, "double");
  EXPECT_EQ(DeclaredTypeOf("buf[3]", env_).base, "int");
  EXPECT_TRUE(DeclaredTypeOf("unknown[1]", env_).empty());
}

}  // namespace
}  // namespace cnake::translate
