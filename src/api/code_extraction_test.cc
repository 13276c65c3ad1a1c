#include "api/code_extraction.h"

#include <gtest/gtest.h>

namespace cnake::api {
namespace {

TEST(ExtractPythonTest, ThePythonFenceWinsOverEarlierFences) {
  const std::string reply =
      "Compile with:\n```sh\ncythonize -i m.pyx\n```\nThe Python:\n```python\ndef f(x):\n"
      "    return x + 1\n```\nAnd another:\n```python\nprint(2)\n```\n";
  auto got = ExtractPython(reply);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rule, ExtractionRule::kPythonFence);
  EXPECT_EQ(got->code, "def f(x):\n    return x + 1\n");
}

TEST(ExtractPythonTest, PythonInfoStringsInAnyCase) {
  for (const char* info : {"python", "py", "Python3", "PY3", "python title=\"x\"", "python{.x}"}) {
    auto got = ExtractPython(std::string("```") + info + "\nx = 1\n```");
    ASSERT_TRUE(got) << info;
    EXPECT_EQ(got->rule, ExtractionRule::kPythonFence) << info;
    EXPECT_EQ(got->code, "x = 1\n") << info;
  }
}

TEST(ExtractPythonTest, ElseTheFirstFenceOfAnyLanguage) {
  auto got = ExtractPython("Here:\n```\nx = 1\n```\n```text\nnot this\n```");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rule, ExtractionRule::kFirstFence);
  EXPECT_EQ(got->code, "x = 1\n");
  got = ExtractPython("~~~~cython\ncdef int x = 1\n~~~~\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rule, ExtractionRule::kFirstFence);
}

TEST(ExtractPythonTest, FencesFollowCommonMark) {
  // A longer fence holds a shorter one; tildes and backticks do not close each other.
  auto got = ExtractPython("````python\ns = '''\n```\n'''\n````\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code, "s = '''\n```\n'''\n");
  got = ExtractPython("~~~python\na = 1\n```\nb = 2\n~~~\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code, "a = 1\n```\nb = 2\n");
  // Indented fences (up to three spaces) strip that indentation; four is code, not a fence.
  got = ExtractPython("  ```python\n  x = 1\n    y = 2\n  ```\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code, "x = 1\n  y = 2\n");
  EXPECT_FALSE(ExtractPython("    ```python\n    Here is no fence.\n    ```\n"));
  // An unclosed fence runs to the end; CRLF line ends are fine.
  got = ExtractPython("```python\r\nx = 1\r\ny = 2\r\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code, "x = 1\ny = 2\n");
  // A backtick in a backtick fence's info string means it is no fence.
  EXPECT_FALSE(ExtractPython("```py`thon\nHere is not code at all.\n```"));
}

TEST(ExtractPythonTest, EmptyBlocksDoNotCount) {
  auto got = ExtractPython("```python\n\n   \n```\n```\nz = 3\n```\n");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rule, ExtractionRule::kFirstFence);
  EXPECT_EQ(got->code, "z = 3\n");
  EXPECT_FALSE(ExtractPython("```python\n```"));
}

TEST(ExtractPythonTest, ElseTheWholeReplyWhenItLooksLikeCode) {
  const std::string code =
      "\n\nimport math\n\n\ndef area(r: float) -> float:\n    \"\"\"Area of a circle.\n\n"
      "    This is prose inside a docstring.\n    \"\"\"\n    return math.pi * r ** 2\n\n";
  auto got = ExtractPython(code);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rule, ExtractionRule::kWholeReply);
  EXPECT_EQ(got->code.substr(0, 12), "import math\n");
  EXPECT_EQ(got->code.back(), '\n');
  EXPECT_NE(got->code[got->code.size() - 2], '\n');
}

TEST(ExtractPythonTest, NoCode) {
  for (const char* reply :
       {"", "   \n", "I cannot translate this code.", "Sure! Here is what it does: it adds.",
        "Here is the translation:\nx = 1\n",  // prose without fences is not stored
        "The function returns the sum of its arguments."}) {
    EXPECT_FALSE(ExtractPython(reply)) << reply;
  }
}

TEST(LooksLikeCodeTest, CodeLines) {
  for (const char* code :
       {"x = 1", "a, b = b, a", "total += x", "self.items[i] = value", "n: int = 0", "print(x)",
        "foo.bar(1, 2)", "def f():", "class A(B):", "from a import b", "import os", "return x",
        "@decorator", "# just a comment", "for i in range(3):", "if x:", "pass", "MAX_SIZE = 100",
        "x: list[int]"}) {
    EXPECT_TRUE(LooksLikeCode(code)) << code;
  }
}

TEST(LooksLikeCodeTest, ProseLines) {
  for (const char* text :
       {"Here is the code:", "I can't help with that.", "Note: the result is cached.",
        "This uses a list instead.", "x = 1\nThis line is prose.", "Sorry, I cannot do that"}) {
    EXPECT_FALSE(LooksLikeCode(text)) << text;
  }
  // Prose-like text inside a triple-quoted string is not prose.
  EXPECT_TRUE(LooksLikeCode("s = '''\nThis is a long sentence here.\n'''\n"));
  EXPECT_TRUE(LooksLikeCode("value = None\nTrue and False or x"));
}

TEST(LooksLikeCodeTest, HugeLinesAreCheap) {
  std::string line(1 << 20, 'a');
  EXPECT_FALSE(LooksLikeCode(line));  // one long word: neither code nor prose
  EXPECT_TRUE(LooksLikeCode("x = " + line));
  EXPECT_FALSE(ExtractPython(std::string(1 << 20, '`')));
}

TEST(ExtractionRuleTest, Names) {
  EXPECT_STREQ(ExtractionRuleName(ExtractionRule::kPythonFence), "python_fence");
  EXPECT_STREQ(ExtractionRuleName(ExtractionRule::kFirstFence), "first_fence");
  EXPECT_STREQ(ExtractionRuleName(ExtractionRule::kWholeReply), "whole_reply");
}

}  // namespace
}  // namespace cnake::api
