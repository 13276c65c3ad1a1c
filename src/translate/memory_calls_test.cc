#include "translate/memory_calls.h"

#include <gtest/gtest.h>

#include "translate/special_calls.h"

namespace cnake::translate {
namespace {

class MemoryCallsTest : public ::testing::Test {
 protected:
  MemoryCallsTest() {
    env_.types = &ctx_;
    env_.helpers = &helpers_;
    env_.imports = &imports_;
    env_.c_names = &c_names_;
    Declare("ints", "int*");
    Declare("uints", "unsigned int*");
    Declare("doubles", "double*");
    Declare("chars", "char*");
    Declare("arr", "int[64]");
    Declare("v", "vector[int]");
    Declare("m", "unordered_map[int, int]");
    Declare("pq", "priority_queue[int]");
    Declare("x", "int");
  }
  void Declare(const std::string& name, const std::string& type) {
    CType t = ParseCType(type);
    if (type == "int[64]") {
      t = ParseCType("int");
      t.array_dims = {"64"};
    }
    env_.var_types[name] = t;
  }
  std::string Call(const std::string& head, const std::vector<std::string>& args) {
    StatementRewrite r = RewriteMemoryCall(head, args, env_);
    return r.action == StatementAction::kReplace ? r.text : "<" + r.reason + ">";
  }
  std::string Rw(std::string_view s) { return RewriteExpression(s, env_).text; }

  TypeContext ctx_;
  ExprEnv env_;
  std::set<std::string> helpers_;
  std::set<std::string> c_names_ = {"memcmp", "sort"};
  std::map<std::string, std::set<std::string>> imports_;
};

TEST_F(MemoryCallsTest, MemsetFillsWithTheElementValue) {
  EXPECT_EQ(Call("memset", {"ints", "0", "n * sizeof(int)"}), "ints[:n] = [0] * n");
  EXPECT_EQ(Call("memset", {"ints", "-1", "n * sizeof(int)"}), "ints[:n] = [-1] * n");
  EXPECT_EQ(Call("memset", {"uints", "255", "n * sizeof(unsigned int)"}),
            "uints[:n] = [4294967295] * n");
  EXPECT_EQ(Call("memset", {"doubles", "0", "n * sizeof(double)"}), "doubles[:n] = [0.0] * n");
  EXPECT_EQ(Call("memset", {"chars", "65", "n"}), "chars[:n] = bytes([65]) * n");
  EXPECT_EQ(Call("memset", {"arr", "0", "sizeof(arr)"}), "arr[:len(arr)] = [0] * len(arr)");
  EXPECT_EQ(Call("memset", {"&ints[k]", "0", "4 * sizeof(int)"}), "ints[k:k + 4] = [0] * 4");
  // A byte pattern has no faithful double value: reported, not guessed.
  EXPECT_EQ(Call("memset", {"doubles", "1", "n * sizeof(double)"}),
            "<memset byte pattern on floating-point elements>");
}

TEST_F(MemoryCallsTest, MemcpyAndQsortUseSlices) {
  EXPECT_EQ(Call("memcpy", {"doubles + k", "doubles", "(n - k) * sizeof(double)"}),
            "doubles[k:k + (n - k)] = doubles[:(n - k)]");
  EXPECT_EQ(Call("qsort", {"ints", "n", "sizeof(int)", "cmp"}),
            "ints[:n] = sorted(ints[:n], key=cmp_to_key(lambda a, b: cmp([a], [b])))");
  EXPECT_EQ(Call("memcpy", {"&x", "ints", "4"}), "<memcpy between things that are not buffers>");
}

TEST_F(MemoryCallsTest, MemcmpOrdersOnlyByteBuffers) {
  EXPECT_EQ(Rw("memcmp(chars, chars + 4, 4) < 0"), "_c_memcmp(chars[:4], chars[4:4 + 4]) < 0");
  EXPECT_EQ(Rw("memcmp(ints, ints + 4, 16) == 0"),
            "_c_memcmp(ints[:16 // 4], ints[4:4 + (16 // 4)]) == 0");
  EXPECT_FALSE(RewriteExpression("memcmp(ints, ints + 4, 16) < 0", env_).failure.empty());
}

TEST_F(MemoryCallsTest, LibcppContainersByDeclaredType) {
  EXPECT_EQ(Rw("v.push_back(x)"), "v.append(x)");
  EXPECT_EQ(Rw("v.size()"), "len(v)");
  EXPECT_EQ(Rw("v.back()"), "v[-1]");
  EXPECT_EQ(Rw("v.resize(n)"), "v[:] = v[:n] + [0] * (n - len(v))");
  EXPECT_EQ(Rw("m.count(k)"), "(k in m)");
  EXPECT_EQ(Rw("m.find(k) != m.end()"), "k in m");
  EXPECT_EQ(Rw("pq.push(x)"), "heappush(pq, _MaxFirst(x))");
  EXPECT_EQ(Rw("pq.top()"), "pq[0].value");
  EXPECT_EQ(Rw("sort(v.begin(), v.end())"), "v.sort()");
  EXPECT_EQ(Rw("pair[int, int](a, b)"), "(a, b)");
  EXPECT_TRUE(helpers_.count("_MaxFirst"));
  EXPECT_TRUE(imports_["heapq"].count("heappush"));
  bool dd = false;
  EXPECT_EQ(ContainerDefault(ParseCType("map[int, double]"), ctx_, &dd), "defaultdict(float)");
  EXPECT_TRUE(dd);
}

TEST_F(MemoryCallsTest, ViewArraysBecomeNestedLists) {
  EXPECT_EQ(Rw("cvarray(shape=(n,), itemsize=sizeof(int), format=\"i\")"), "[0] * n");
  EXPECT_EQ(Rw("view.array(shape=(r, c), itemsize=sizeof(double), format=\"d\")"),
            "[[0.0] * c for _ in range(r)]");
}

}  // namespace
}  // namespace cnake::translate
