// A program with a deliberate memory error or undefined behaviour, run by
// sanitizer_defaults_test to see which sanitizer options a child process
// gets. Built only with -DCNAKE_SANITIZE=ON.
#include <cstdio>
#include <cstring>
#include <limits>

namespace {

// Not inlined, so that the stack trace names it.
__attribute__((noinline)) int UseAfterFree() {
  int* p = new int[4];
  delete[] p;
  return p[1];
}

__attribute__((noinline)) int SignedOverflow(int x) { return x + 1; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  volatile int sink = 0;
  if (std::strcmp(argv[1], "use-after-free") == 0) sink = UseAfterFree();
  if (std::strcmp(argv[1], "overflow") == 0) {
    volatile int max = std::numeric_limits<int>::max();
    sink = SignedOverflow(max);
  }
  std::printf("%d\n", static_cast<int>(sink));
  return 0;
}
