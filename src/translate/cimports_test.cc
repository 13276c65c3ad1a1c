#include "translate/cimports.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

TEST(CimportsTest, LibcMathBecomesMathImport) {
  auto t = TranslateCimport("from libc.math cimport sqrt, M_PI, fmax, sin as csin", {});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->lines, std::vector<std::string>{"from math import sqrt, pi as M_PI, sin as csin"});
  EXPECT_EQ(t->renames.at("fmax"), "_c_fmax");  // C returns a double
  EXPECT_TRUE(t->untranslated_names.empty());
}

TEST(CimportsTest, StdlibAllocatorsAreDroppedWithNote) {
  auto t = TranslateCimport("from libc.stdlib cimport malloc, free, qsort", {});
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->lines.empty());
  EXPECT_FALSE(t->notes.empty());
  EXPECT_EQ(t->untranslated_names, std::vector<std::string>{"qsort"});
}

TEST(CimportsTest, ConstantsBecomeAssignments) {
  auto t = TranslateCimport("from libc.limits cimport INT_MAX", {});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->lines, std::vector<std::string>{"INT_MAX = 2147483647"});
}

TEST(CimportsTest, CythonAndNumpy) {
  auto cy = TranslateCimport("cimport cython", {});
  ASSERT_TRUE(cy);
  EXPECT_TRUE(cy->lines.empty());
  auto par = TranslateCimport("from cython.parallel import prange", {});
  ASSERT_TRUE(par);
  EXPECT_TRUE(par->lines.empty());
  auto np = TranslateCimport("cimport numpy as np", {});
  ASSERT_TRUE(np);
  EXPECT_EQ(np->lines, std::vector<std::string>{"import numpy as np"});
  auto dup = TranslateCimport("cimport numpy as np", {"np"});
  ASSERT_TRUE(dup);
  EXPECT_TRUE(dup->lines.empty());
  auto types = TranslateCimport("from libc.stdint cimport uint8_t, int64_t", {});
  ASSERT_TRUE(types);
  EXPECT_TRUE(types->lines.empty());
}

TEST(CimportsTest, UserModulesBecomeImports) {
  auto t = TranslateCimport("from .geometry cimport Vec3, dot3", {});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->lines, std::vector<std::string>{"from .geometry import Vec3, dot3"});
  auto m = TranslateCimport("cimport mypkg.helpers as h", {});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->lines, std::vector<std::string>{"import mypkg.helpers as h"});
}

TEST(CimportsTest, PlainPythonImportsAreNotCimports) {
  EXPECT_FALSE(TranslateCimport("import numpy as np", {}));
  EXPECT_FALSE(TranslateCimport("from os import path", {}));
}

TEST(CimportsTest, DirectiveComments) {
  EXPECT_TRUE(IsDirectiveComment("# cython: boundscheck=False"));
  EXPECT_TRUE(IsDirectiveComment("#cython: language_level=3"));
  EXPECT_TRUE(IsDirectiveComment("# distutils: language = c++"));
  EXPECT_FALSE(IsDirectiveComment("# a comment about cython: fast"));
}

TEST(CimportsTest, ExternHeadersUseTheSameTables) {
  auto m = LookupLibcName("\"math.h\"", "hypot");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->module, "math");
  EXPECT_FALSE(LookupLibcName("\"mylib.h\"", "hypot"));
  EXPECT_TRUE(IsKnownCModule("\"math.h\""));
  EXPECT_FALSE(IsKnownCModule("\"mylib.h\""));
}

}  // namespace
}  // namespace cnake::translate
