#include "translate/declarations.h"

#include <gtest/gtest.h>

namespace cnake::translate {
namespace {

TEST(DeclarationsTest, ParsesVariables) {
  auto d = ParseDeclaration("double x, y = 1.0");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->vars.size(), 2u);
  EXPECT_EQ(d->vars[0].name, "x");
  EXPECT_EQ(d->vars[0].value, "");
  EXPECT_EQ(d->vars[1].name, "y");
  EXPECT_EQ(d->vars[1].value, "1.0");
  EXPECT_EQ(d->vars[1].type.base, "double");
}

TEST(DeclarationsTest, ModifiersPointersArraysAndMemoryviews) {
  auto d = ParseDeclaration("public unsigned long long* p, q");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->modifiers, std::vector<std::string>{"public"});
  EXPECT_EQ(d->vars[0].type.pointer_depth, 1);
  EXPECT_EQ(d->vars[1].type.pointer_depth, 0);  // C semantics: '*' binds to the declarator
  auto a = ParseDeclaration("double grid[3][4]");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->vars[0].name, "grid");
  EXPECT_EQ(a->vars[0].type.array_dims, (std::vector<std::string>{"3", "4"}));
  auto m = ParseDeclaration("int[:, ::1] m = arr");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->vars[0].type.memview_dims, 2);
  EXPECT_EQ(m->vars[0].value, "arr");
}

TEST(DeclarationsTest, RejectsNonDeclarations) {
  EXPECT_FALSE(ParseDeclaration("double (*f)(double)"));
  EXPECT_FALSE(ParseDeclaration("x"));
  EXPECT_FALSE(ParseDeclaration("x = 1"));
}

TEST(DeclarationsTest, ParsesCdefSignature) {
  auto s = ParseSignature(
      "cdef inline double f(double[:] a, int n=3, object o=None, Foo x not None) "
      "except? -1 nogil:");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "f");
  EXPECT_TRUE(s->has_body);
  EXPECT_EQ(s->return_type.base, "double");
  ASSERT_EQ(s->params.size(), 4u);
  EXPECT_EQ(s->params[0].type.memview_dims, 1);
  EXPECT_EQ(s->params[1].default_value, "3");
  EXPECT_EQ(s->params[3].name, "x");
}

TEST(DeclarationsTest, SignatureShapes) {
  EXPECT_FALSE(ParseSignature("cdef int x = f(1)"));         // a declaration
  EXPECT_FALSE(ParseSignature("cdef double (*f)(double)"));  // a function pointer
  auto noret = ParseSignature("cdef helper(x):");
  ASSERT_TRUE(noret);
  EXPECT_FALSE(noret->has_return_type);
  auto pxd = ParseSignature("cdef double dot(Vec a, Vec b) nogil");
  ASSERT_TRUE(pxd);
  EXPECT_FALSE(pxd->has_body);
  auto suite = ParseSignature("cpdef int one(): return 1  # short");
  ASSERT_TRUE(suite);
  EXPECT_EQ(suite->suite, "return 1");
  EXPECT_EQ(suite->comment, "# short");
}

TEST(DeclarationsTest, RendersHintsAndDropsUnmappedTypes) {
  TypeContext ctx;
  ExprEnv env{&ctx};
  auto s = ParseSignature(
      "cpdef void f(self, double[:, :] m, timespec* ts, int k=0, *args, **kw) except *:");
  ASSERT_TRUE(s);
  EXPECT_EQ(RenderSignature(*s, env),
            "def f(self, m: list[list[float]], ts, k: int = 0, *args, **kw) -> None:");
  auto d = ParseSignature("def g(int x, y, str name='a', p=NULL) -> int:");
  ASSERT_TRUE(d);
  EXPECT_EQ(RenderSignature(*d, env), "def g(x: int, y, name: str = 'a', p=None) -> int:");
  auto cp = ParseSignature("def h(double (*cb)(double), char* s):");
  ASSERT_TRUE(cp);
  EXPECT_EQ(RenderSignature(*cp, env), "def h(cb, s: bytes):");
}

TEST(DeclarationsTest, RenderVariableAndLazyAnnotations) {
  EXPECT_EQ(RenderVariable("i", std::string("int"), "0"), "i: int = 0");
  EXPECT_EQ(RenderVariable("i", std::string("int"), ""), "i: int");
  EXPECT_EQ(RenderVariable("i", std::nullopt, "f()"), "i = f()");
  EXPECT_FALSE(HintNeedsLazyAnnotations("list[list[float]]"));
  EXPECT_TRUE(HintNeedsLazyAnnotations("Point"));
  EXPECT_TRUE(HintNeedsLazyAnnotations("list[number_t]"));
}

}  // namespace
}  // namespace cnake::translate
