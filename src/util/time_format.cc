#include "util/time_format.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace cnake {

std::string FormatIsoUtc(std::chrono::system_clock::time_point t) {
  // floor, not a cast: a cast rounds toward zero, so before 1970 the
  // milliseconds would come out negative.
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto milli = std::chrono::floor<std::chrono::milliseconds>(t - secs).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(secs)),
                     static_cast<int>(milli));
}

}  // namespace cnake
