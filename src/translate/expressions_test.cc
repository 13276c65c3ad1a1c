#include "translate/expressions.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

class ExpressionsTest : public ::testing::Test {
 protected:
  std::string Rw(std::string_view s) { return RewriteExpression(s, env_).text; }
  TypeContext ctx_;
  ExprEnv env_{&ctx_};
};

TEST_F(ExpressionsTest, CastsBecomeConversions) {
  EXPECT_EQ(Rw("<int>x"), "int(x)");
  EXPECT_EQ(Rw("<double>x"), "float(x)");
  EXPECT_EQ(Rw("<float>x"), "float(x)");
  EXPECT_EQ(Rw("<bint>x"), "bool(x)");
  EXPECT_EQ(Rw("<object>x"), "x");
  EXPECT_EQ(Rw("<char*>data"), "data");
  EXPECT_EQ(Rw("<Foo?>x"), "x");
  EXPECT_EQ(Rw("<unsigned long long>x"), "int(x)");
}

TEST_F(ExpressionsTest, CastPrecedence) {
  EXPECT_EQ(Rw("<int>x + 1"), "int(x) + 1");
  EXPECT_EQ(Rw("<int>(a+b)"), "int(a+b)");
  EXPECT_EQ(Rw("<double>arr[i]"), "float(arr[i])");
  EXPECT_EQ(Rw("<int>obj.attr * 2"), "int(obj.attr) * 2");
  EXPECT_EQ(Rw("<int>f(x)[0].y"), "int(f(x)[0].y)");
  EXPECT_EQ(Rw("<int>-x"), "int(-x)");
  EXPECT_EQ(Rw("<int><double>x"), "int(float(x))");
  EXPECT_EQ(Rw("return <double>n / 2"), "return float(n) / 2");
  EXPECT_EQ(Rw("<object>-x"), "(-x)");
  EXPECT_EQ(Rw("<tuple>(a, b)"), "(a, b)");
  EXPECT_EQ(Rw("f(<int>a, <int>b)"), "f(int(a), int(b))");
}

TEST_F(ExpressionsTest, ComparisonsAreUntouched) {
  EXPECT_EQ(Rw("a < b > c"), "a < b > c");
  EXPECT_EQ(Rw("if x < y and y > z:"), "if x < y and y > z:");
  EXPECT_EQ(Rw("f(a) < g(b) > h"), "f(a) < g(b) > h");
  EXPECT_EQ(Rw("x[i] <int> y"), "x[i] <int> y");
}

TEST_F(ExpressionsTest, StringsAndCommentsAreUntouched) {
  EXPECT_EQ(Rw("s = '<int>x NULL'  # <double>y &z"), "s = '<int>x NULL'  # <double>y &z");
}

TEST_F(ExpressionsTest, NullAddressOfAndPointerTests) {
  EXPECT_EQ(Rw("p == NULL"), "p is None");
  EXPECT_EQ(Rw("p != NULL"), "p is not None");
  EXPECT_EQ(Rw("p = NULL"), "p = None");
  EXPECT_EQ(Rw("f(&x, a & b)"), "f(x, a & b)");
  EXPECT_EQ(Rw("if not buf:"), "if not buf:");
  env_.pointer_names.insert("buf");
  env_.pointer_names.insert("self.data");
  EXPECT_EQ(Rw("if not buf:"), "if buf is None:");
  EXPECT_EQ(Rw("if not self.data or n == 0:"), "if self.data is None or n == 0:");
  EXPECT_EQ(Rw("if not buf[0]:"), "if not buf[0]:");
}

TEST_F(ExpressionsTest, AllocationsBecomeLists) {
  EXPECT_EQ(Rw("<double*>malloc(n * sizeof(double))"), "[0.0] * n");
  EXPECT_EQ(Rw("<int*>calloc(n + 1, sizeof(int))"), "[0] * (n + 1)");
  EXPECT_EQ(Rw("<char*>malloc(n + 1)"), "bytearray(n + 1)");
  EXPECT_EQ(Rw("<double*>PyMem_Malloc(sizeof(double) * rows * cols)"), "[0.0] * (rows * cols)");
  EXPECT_EQ(Rw("<double*>realloc(buf, m * sizeof(double))"), "(buf + [0.0] * m)[:m]");
  EXPECT_EQ(Rw("<long*>malloc(nbytes)"), "[0] * (nbytes // 8)");
  ctx_.structs.insert("P");
  EXPECT_EQ(Rw("<P*>malloc(k * sizeof(P))"), "[P() for _ in range(k)]");
}

TEST_F(ExpressionsTest, SizeofOfKnownAndUnknownTypes) {
  EXPECT_EQ(Rw("n * sizeof(double)"), "n * 8");
  const ExprResult r = RewriteExpression("sizeof(MyStruct)", env_);
  EXPECT_FALSE(r.failure.empty());
}

TEST_F(ExpressionsTest, PrangeDropsParallelKeywords) {
  EXPECT_EQ(Rw("for i in prange(n, nogil=True, schedule='static', chunksize=4):"),
            "for i in range(n):");
  EXPECT_EQ(Rw("prange(0, n, 2, num_threads=4)"), "range(0, n, 2)");
}

TEST_F(ExpressionsTest, LiteralsAndRenames) {
  EXPECT_EQ(Rw("c'A' + 1"), "ord('A') + 1");
  EXPECT_EQ(Rw("x = 1ULL << 63"), "x = 1 << 63");
  EXPECT_EQ(Rw("0xFFL"), "0xFF");
  env_.call_renames["strlen"] = "len";
  EXPECT_EQ(Rw("strlen(s) + obj.strlen(s)"), "len(s) + obj.strlen(s)");
}

TEST_F(ExpressionsTest, MemoryviewShapeAndIndexing) {
  env_.memview_dims["m"] = 2;
  EXPECT_EQ(Rw("m.shape[0] * m.shape[1]"), "len(m) * len(m[0])");
  EXPECT_EQ(Rw("m[i, j + 1]"), "m[i][j + 1]");
  EXPECT_EQ(Rw("m[i, :]"), "m[i, :]");  // slices of lists have no 2-D form
}

TEST(SplitTopLevelTest, RespectsBrackets) {
  EXPECT_EQ(SplitTopLevel("a, f(b, c), [d, e]"),
            (std::vector<std::string>{"a", "f(b, c)", "[d, e]"}));
  EXPECT_TRUE(SplitTopLevel("").empty());
}

}  // namespace
}  // namespace cnake::translate
