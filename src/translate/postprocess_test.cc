#include "translate/postprocess.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

TEST(PostprocessTest, FillsEmptyBlocks) {
  EXPECT_EQ(FillEmptyBlocks("def f():\nx = 1\n"), "def f():\n    pass\nx = 1\n");
  EXPECT_EQ(FillEmptyBlocks("if a:\n    # untranslated: cdef x\nelse:\n    y()\n"),
            "if a:\n    # untranslated: cdef x\n    pass\nelse:\n    y()\n");
  EXPECT_EQ(FillEmptyBlocks("class A:\n"), "class A:\n    pass\n");
  EXPECT_EQ(FillEmptyBlocks("def f():\n    return 1\n"), "def f():\n    return 1\n");
}

TEST(PostprocessTest, InsertsImportsAfterDocstringAndFuture) {
  EXPECT_EQ(InsertImports("\"\"\"Doc.\"\"\"\n\nx = 1\n", {"from a import b"}),
            "\"\"\"Doc.\"\"\"\n\nfrom a import b\n\nx = 1\n");
  EXPECT_EQ(InsertImports("x = 1\n", {"from __future__ import annotations", "from a import b"}),
            "from __future__ import annotations\n\nfrom a import b\n\nx = 1\n");
  EXPECT_EQ(InsertImports("from __future__ import division\nx = 1\n",
                          {"from __future__ import annotations", "from a import b"}),
            "from __future__ import annotations\n\nfrom __future__ import division\n\n"
            "from a import b\n\nx = 1\n");
  EXPECT_EQ(InsertImports("x = 1\n", {}), "x = 1\n");
}

TEST(PostprocessTest, CollapsesBlankRunsButNotInsideStrings) {
  EXPECT_EQ(CollapseBlankLines("a\n\n\n\n\nb\n"), "a\n\n\nb\n");
  EXPECT_EQ(CollapseBlankLines("s = '''\n\n\n\n'''\n"), "s = '''\n\n\n\n'''\n");
}

TEST(PostprocessTest, DedentsContinuationsButNotStrings) {
  EXPECT_EQ(DedentContinuations("f(a,\n        b)", 4), "f(a,\n    b)");
  EXPECT_EQ(DedentContinuations("s = '''\n        keep'''", 4), "s = '''\n        keep'''");
}

}  // namespace
}  // namespace cnake::translate
