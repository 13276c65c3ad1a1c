#include "translate/statements.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

class StatementsTest : public ::testing::Test {
 protected:
  TypeContext ctx_;
  ExprEnv env_{&ctx_};
};

TEST_F(StatementsTest, ForFromLoops) {
  EXPECT_EQ(RewriteForFrom("for i from 0 <= i < n:", env_), "for i in range(0, n):");
  EXPECT_EQ(RewriteForFrom("for i from 0 < i <= n by 2:", env_),
            "for i in range(0 + 1, n + 1, 2):");
  EXPECT_EQ(RewriteForFrom("for i from n > i >= 0:", env_), "for i in range(n - 1, 0 - 1, -1):");
  EXPECT_EQ(RewriteForFrom("for i in range(n):", env_), std::nullopt);
  EXPECT_EQ(RewriteForFrom("for i from 0 <= j < n:", env_), std::nullopt);
}

TEST_F(StatementsTest, WithItems) {
  WithRewrite w = AnalyzeWith("with nogil:");
  EXPECT_TRUE(w.dropped_any);
  EXPECT_TRUE(w.kept.empty());
  w = AnalyzeWith("with nogil, parallel(num_threads=4):");
  EXPECT_TRUE(w.kept.empty());
  w = AnalyzeWith("with lock, nogil: x = 1");
  EXPECT_EQ(w.kept, std::vector<std::string>{"lock"});
  EXPECT_EQ(w.suite, "x = 1");
  w = AnalyzeWith("with open(p) as f:");
  EXPECT_FALSE(w.dropped_any);
}

TEST_F(StatementsTest, CStatements) {
  const std::set<std::string> c = {"free", "memcpy"};
  EXPECT_EQ(RewriteCStatement("free(buf)", c, env_).action, StatementAction::kDrop);
  EXPECT_EQ(RewriteCStatement("free(buf)", {}, env_).action, StatementAction::kKeep);
  StatementRewrite m = RewriteCStatement("memcpy(dst, src, n * sizeof(double))", c, env_);
  EXPECT_EQ(m.action, StatementAction::kReplace);
  EXPECT_EQ(m.text, "dst[:n] = src[:n]");
  // Offsets become slice bounds; a byte count without sizeof and an unknown
  // element type is taken as an element count.
  EXPECT_EQ(RewriteCStatement("memcpy(dst + 1, src, n)", c, env_).text, "dst[1:1 + n] = src[:n]");
  EXPECT_EQ(RewriteCStatement("memcpy(&dst[k], src + j, m * sizeof(int))", c, env_).text,
            "dst[k:k + m] = src[j:j + m]");
  // The address of a scalar is not a buffer.
  EXPECT_EQ(RewriteCStatement("memcpy(&x, src, 8)", c, env_).action,
            StatementAction::kUntranslatable);
  EXPECT_EQ(RewriteCStatement("cnp.import_array()", c, env_).action, StatementAction::kDrop);
  EXPECT_EQ(RewriteCStatement("print x, y", c, env_).text, "print(x, y)");
  EXPECT_EQ(RewriteCStatement("print(x)", c, env_).action, StatementAction::kKeep);
}

}  // namespace
}  // namespace cnake::translate
