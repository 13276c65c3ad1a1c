// libFuzzer target (configure with CNAKE_FUZZ=ON and clang): ParseRetryAfter
// must be total, and every accepted value must lie within [0, max_wait].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scheduler/retry_after.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace std::chrono_literals;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  // Two "now"s: one ordinary, one near the end of the nanosecond range.
  for (const auto now :
       {cnake::SystemTimePoint(1445412480s), cnake::SystemTimePoint(cnake::Duration::max() - 1s)}) {
    for (const cnake::Duration max_wait : {cnake::Duration(300s), cnake::Duration::max()}) {
      const auto r = cnake::scheduler::ParseRetryAfter(value, now, max_wait);
      if (r && (*r < cnake::Duration::zero() || *r > max_wait)) std::abort();
    }
  }
  return 0;
}
