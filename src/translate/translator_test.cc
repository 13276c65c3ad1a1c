// End-to-end tests of TranslateCython, one construct at a time, plus parse
// and execution checks through python3.
#include "translate/translator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "translate/python_check.h"

namespace cnake::translate {
namespace {

std::string Py(std::string_view src) { return TranslateCython(src).python; }

TEST(TranslatorTest, PlainPythonPassesThroughUnchanged) {
  const std::string src =
      "\"\"\"Doc.\"\"\"\nimport os\n\n\nclass A:\n    def f(self, x=1):\n        return x < 2 > 0\n"
      "\n\ndef g(*args, **kw):\n    s = '<int>x cdef'  # cdef <int>\n    return [a for a in "
      "args]\n";
  const Translation t = TranslateCython(src);
  EXPECT_EQ(t.python, src);
  EXPECT_TRUE(t.untranslated.empty());
}

TEST(TranslatorTest, DirectivesCimportsAndDecoratorsAreRemoved) {
  EXPECT_EQ(Py("# cython: boundscheck=False\n\"\"\"D.\"\"\"\ncimport cython\n"
               "from libc.math cimport sqrt\n@cython.boundscheck(False)\ndef f(x):\n"
               "    return sqrt(x)\n"),
            "\"\"\"D.\"\"\"\nfrom math import sqrt\ndef f(x):\n    return sqrt(x)\n");
}

TEST(TranslatorTest, FunctionsGetHints) {
  EXPECT_EQ(Py("cpdef double f(int n, double[:] a, bint flag=True) except -1 nogil:\n"
               "    return a[n]\n"),
            "def f(n: int, a: list[float], flag: bool = True) -> float:\n    return a[n]\n");
  EXPECT_EQ(Py("cdef inline void g() noexcept:\n    pass\n"), "def g() -> None:\n    pass\n");
}

TEST(TranslatorTest, LocalDeclarations) {
  EXPECT_EQ(Py("def f():\n    cdef int i = 0\n    cdef double x, y = 1.0\n    cdef object o\n"
               "    return i\n"),
            "def f():\n    i: int = 0\n    x: float\n    y: float = 1.0\n    o: object\n"
            "    return i\n");
}

TEST(TranslatorTest, DeclarationOnlyBlockGetsPass) {
  EXPECT_EQ(Py("def f():\n    cdef timespec ts\n"), "def f():\n    pass\n");
}

TEST(TranslatorTest, CdefDeclarationBlock) {
  EXPECT_EQ(Py("def f():\n    cdef:\n        int i\n        double x = 2\n    return x\n"),
            "def f():\n    i: int\n    x: float = 2.0\n    return x\n");
}

TEST(TranslatorTest, CdefClass) {
  const std::string out =
      Py("cdef class A(Base):\n    cdef public int x\n    cdef readonly double y\n"
         "    cdef double* buf\n    def __cinit__(self, int n):\n"
         "        self.buf = <double*>malloc(n * sizeof(double))\n"
         "        if not self.buf:\n            raise MemoryError()\n"
         "    def __dealloc__(self):\n        free(self.buf)\n");
  EXPECT_EQ(
      out,
      "class A(Base):\n    x: int = 0\n    y: float = 0.0\n    buf: list[float] | None = None\n"
      "    def __init__(self, n: int):\n        self.buf = [0.0] * n\n"
      "        if self.buf is None:\n            raise MemoryError()\n"
      "    # __dealloc__ removed: Python releases the memory automatically\n");
}

TEST(TranslatorTest, CinitBesideInitIsKept) {
  const std::string out =
      Py("cdef class A:\n    def __cinit__(self):\n        pass\n"
         "    def __init__(self):\n        pass\n");
  EXPECT_NE(out.find("def _cinit(self):"), std::string::npos) << out;
}

TEST(TranslatorTest, MallocFreeBuffers) {
  EXPECT_EQ(Py("from libc.stdlib cimport malloc, free\ndef f(int n):\n"
               "    cdef double* buf = <double*>malloc(n * sizeof(double))\n"
               "    if not buf:\n        raise MemoryError()\n    free(buf)\n"),
            "def f(n: int):\n    buf: list[float] = [0.0] * n\n    if buf is None:\n"
            "        raise MemoryError()\n");
}

TEST(TranslatorTest, NogilAndGilBlocksAreDedented) {
  EXPECT_EQ(Py("def f(int n):\n    with nogil:\n        x = n\n        with gil:\n"
               "            print(x)\n    return x\n"),
            "def f(n: int):\n    x = n\n    print(x)\n    return x\n");
  EXPECT_EQ(Py("def f():\n    with nogil: g()\n"), "def f():\n    g()\n");
  EXPECT_EQ(Py("def f():\n    with nogil:\n        pass\n"), "def f():\n    pass\n");
}

TEST(TranslatorTest, StructEnumFusedCtypedef) {
  const std::string out =
      Py("ctypedef double real\ncdef struct P:\n    real x\n    int n\n\n"
         "cdef enum Color:\n    RED\n    GREEN = 5\n\nctypedef fused num:\n    int\n    double\n");
  EXPECT_NE(out.find("from dataclasses import dataclass"), std::string::npos) << out;
  EXPECT_NE(out.find("@dataclass\nclass P:\n    x: float = 0.0\n    n: int = 0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("class Color(IntEnum):\n    RED = 0\n    GREEN = 5\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("num = TypeVar(\"num\", int, float)"), std::string::npos) << out;
  EXPECT_NE(out.find("real = float"), std::string::npos) << out;
}

TEST(TranslatorTest, ExternBlocks) {
  const Translation t = TranslateCython(
      "cdef extern from \"math.h\":\n    double hypot(double, double)\n"
      "cdef extern from \"mylib.h\":\n    int mylib_init(char* name)\n"
      "def f():\n    return hypot(3, 4)\n");
  EXPECT_EQ(t.python,
            "from math import hypot\n\n"
            "# untranslated: cdef extern from \"mylib.h\":\n"
            "# untranslated: int mylib_init(char* name)\n"
            "def f():\n    return hypot(3, 4)\n");
  ASSERT_EQ(t.untranslated.size(), 2u);
  EXPECT_EQ(t.untranslated[1].line, 4);
  EXPECT_EQ(t.untranslated[1].text, "int mylib_init(char* name)");
}

TEST(TranslatorTest, UntranslatableLinesAreRecordedWithLineNumbers) {
  const Translation t = TranslateCython(
      "def f():\n    IF UNAME_SYSNAME == \"Linux\":\n        x = 1\n    return sizeof(Foo)\n");
  EXPECT_EQ(t.python,
            "def f():\n    # untranslated: IF UNAME_SYSNAME == \"Linux\":\n"
            "        # untranslated: x = 1\n    # untranslated: return sizeof(Foo)\n    pass\n");
  ASSERT_EQ(t.untranslated.size(), 3u);
  EXPECT_EQ(t.untranslated[0].line, 2);
  EXPECT_EQ(t.untranslated[0].reason, "compile-time conditional");
}

TEST(TranslatorTest, UntranslatableCasesStillParse) {
  const std::vector<std::string> cases = {
      "cdef extern from \"foo.h\":\n    ctypedef struct foo_t:\n        int a\n    void "
      "foo(foo_t*)\n",
      "def f():\n    IF X:\n        pass\n    ELSE:\n        pass\n",
      "include \"defs.pxi\"\n",
      "cdef class A:\n    cdef int (*cb)(int)\n",
      "def f():\n    with nogil:\n        cdef int x\n",
      "cdef struct S:\n    int (*cb)(int)\n",
      "def f(n):\n    for i from 0 <= i < n:\n        free(p)\n",
      "ctypedef double (*fn)(double)\n",
      "from libc.stdlib cimport qsort\nfrom posix.time cimport clock_gettime\n",
      "def f():\n    print >>sys.stderr, 'x'\n",
      "cdef double x = sizeof(Foo)\n",
      "double hypot(double x)\n",
      "cdef unknown syntax here (\n",
      "def f(x):\n    return <Foo*>x\n",
      "if True:\n\tcdef int y = 0\n",
  };
  std::vector<std::string> outs;
  for (const std::string& c : cases) outs.push_back(Py(c));
  const std::vector<std::string> errors = testing::ParseErrors(outs);
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(errors[i], "") << "input:\n" << cases[i] << "output:\n" << outs[i];
  }
}

// Translated samples do what the Cython code did.
TEST(TranslatorTest, TranslatedSamplesRun) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(CNAKE_SOURCE_DIR) / "samples" / "cython";
  struct Case {
    const char* sample;
    const char* call;
    const char* expected;
  };
  const Case cases[] = {
      {"math/primes.pyx", "print(count_primes(30), nth_prime(5))", "10 11"},
      {"math/matrix.pyx", "print(transpose([[1, 2], [3, 4]]), trace([[1, 2], [3, 4]]))",
       "[[1, 3], [2, 4]] 5"},
      {"math/integrate.pyx", "print(round(sine_area(1000), 3))", "2.0"},
      {"memory/scratch_buffer.pyx",
       "print(cumulative([1.0, 2.0, 3.0]), moving_max([1.0, 3.0, 2.0], 2))",
       "[1.0, 3.0, 6.0] [3.0, 3.0]"},
      {"classes/counter.pyx", "c = BoundedCounter(4); c.add(2); c.add(2); print(c.most_common())",
       "2"},
      {"structs/points.pyx", "print(point_distance(0, 0, 3, 4), in_unit_box(0.5, 0.5))",
       "5.0 True"},
      {"structs/traffic_light.pyx", "print(cycle(0, 3))", "[1, 2, 0]"},
      {"structs/particles.pyx",
       "s = ParticleSystem(2); s.push(1, 2.0); s.step(0.5); print(s.positions())", "[0.0, 2.0]"},
      {"memory/byte_copy.pyx", "print(duplicate(b'abc'), reversed_bytes(b'abc'))",
       "bytearray(b'abc') b'cba'"},
      {"parallel/dot_product.pyx", "print(dot([1.0, 2.0], [3.0, 4.0]))", "11.0"},
  };
  // One interpreter for all samples: programs are NUL-separated and each
  // runs in a fresh namespace; its output (or error) ends with a NUL too.
  std::string programs;
  for (const Case& c : cases) {
    std::ifstream in(root / c.sample);
    std::stringstream ss;
    ss << in.rdbuf();
    programs += Py(ss.str()) + "\n" + c.call + "\n" + std::string(1, '\0');
  }
  static const char* kRunner =
      "import sys, io, contextlib, traceback, types\n"
      "for i, prog in enumerate(sys.stdin.read().split('\\0')[:-1]):\n"
      "    buf = io.StringIO()\n"
      "    try:\n"
      "        with contextlib.redirect_stdout(buf):\n"
      "            mod = sys.modules[f'sample{i}'] = types.ModuleType(f'sample{i}')\n"
      "            exec(compile(prog, f'sample{i}', 'exec'), mod.__dict__)\n"
      "    except Exception:\n"
      "        buf.write('ERROR ' + traceback.format_exc())\n"
      "    sys.stdout.write(buf.getvalue() + '\\0')\n";
  const testing::PythonRun run = testing::RunPython(kRunner, programs);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::vector<std::string> outputs;
  std::stringstream all(run.output);
  std::string one;
  while (std::getline(all, one, '\0')) outputs.push_back(one);
  ASSERT_EQ(outputs.size(), std::size(cases)) << run.output;
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(outputs[i], std::string(cases[i].expected) + "\n") << cases[i].sample;
  }
}

}  // namespace
}  // namespace cnake::translate

namespace cnake::translate {
namespace {

TEST(TranslatorEdgeTest, EmptyAndWhitespaceInputs) {
  EXPECT_EQ(Py(""), "");
  EXPECT_EQ(Py("\n"), "\n");
  EXPECT_EQ(Py("# only a comment\n"), "# only a comment\n");
}

TEST(TranslatorEdgeTest, TabsAndCrlfStayParseable) {
  const std::vector<std::string> cases = {
      "def f(int n):\r\n    cdef int i = 0\r\n    return i\r\n",
      "def f(int n):\n\twith nogil:\n\t\tx = n\n\treturn x\n",
      "cdef class A:\n\tcdef public int x\n\tdef __cinit__(self):\n\t\tself.x = 1\n",
      "def f():\n    with nogil:\n        x = (1 +\n             2)\n    return x\n",
  };
  std::vector<std::string> outs;
  for (const std::string& c : cases) outs.push_back(Py(c));
  const std::vector<std::string> errors = testing::ParseErrors(outs);
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(errors[i], "") << "input:\n" << cases[i] << "output:\n" << outs[i];
  }
}

}  // namespace
}  // namespace cnake::translate
