#include "translate/lexer.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

std::vector<std::string> Texts(std::string_view s) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(s)) out.emplace_back(t.text);
  return out;
}

TEST(LexerTest, StringsAndCommentsAreSingleTokens) {
  const auto toks = Tokenize(R"(x = "cdef <int> y" # cdef int z)");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[2].kind, TokenKind::kString);
  EXPECT_EQ(toks[2].text, "\"cdef <int> y\"");
  EXPECT_EQ(toks[3].kind, TokenKind::kComment);
}

TEST(LexerTest, MultiCharOperatorsAndCythonNumbers) {
  EXPECT_EQ(Texts("a **= b // c -> d"),
            (std::vector<std::string>{"a", "**=", "b", "//", "c", "->", "d"}));
  EXPECT_EQ(Texts("1ULL << 3"), (std::vector<std::string>{"1ULL", "<<", "3"}));
  EXPECT_EQ(Texts("1.5e-3j"), (std::vector<std::string>{"1.5e-3j"}));
}

TEST(LexerTest, StringPrefixesIncludingCythonCharLiteral) {
  const auto toks = Tokenize("rb'x' + c'a' + f\"{y}\"");
  EXPECT_EQ(toks[0].kind, TokenKind::kString);
  EXPECT_EQ(toks[2].text, "c'a'");
  EXPECT_EQ(toks[4].kind, TokenKind::kString);
}

TEST(LexerTest, MatchingClose) {
  const auto toks = Tokenize("f(a[1], (b))");
  EXPECT_EQ(MatchingClose(toks, 1), toks.size() - 1);
  EXPECT_EQ(MatchingClose(Tokenize("f(a"), 1), 3u);
}

TEST(LexerTest, LogicalLinesJoinBracketsBackslashesAndTripleQuotes) {
  const auto lines =
      SplitLogicalLines("x = (1,\n     2)\ny = 1 + \\\n    2\ns = \"\"\"a\nb\"\"\"\n  z\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].first_line, 1);
  EXPECT_EQ(lines[0].last_line, 2);
  EXPECT_EQ(lines[1].first_line, 3);
  EXPECT_EQ(lines[1].last_line, 4);
  EXPECT_EQ(lines[2].continuation_in_string, std::vector<bool>{true});
  EXPECT_EQ(lines[3].indent, "  ");
  EXPECT_EQ(lines[3].body, "z");
}

TEST(LexerTest, OpensBlockIgnoresTrailingCommentsAndSlices) {
  EXPECT_TRUE(SplitLogicalLines("if x:  # done")[0].OpensBlock());
  EXPECT_FALSE(SplitLogicalLines("y = a[1:]")[0].OpensBlock());
  EXPECT_FALSE(SplitLogicalLines("if x: y()")[0].OpensBlock());
  EXPECT_FALSE(SplitLogicalLines("s = 'ends with:'")[0].OpensBlock());
}

TEST(LexerTest, IndentWidthExpandsTabs) {
  EXPECT_EQ(IndentWidth("\t"), 8);
  EXPECT_EQ(IndentWidth("  \t"), 8);
  EXPECT_EQ(IndentWidth("    "), 4);
}

TEST(LexerTest, UnterminatedStringDoesNotCrash) {
  EXPECT_FALSE(Tokenize("x = 'abc").empty());
  EXPECT_EQ(SplitLogicalLines("s = \"\"\"never closed\nmore").size(), 1u);
}

}  // namespace
}  // namespace cnake::translate
