#include "util/time_format.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

namespace cnake {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

TEST(TimeFormatTest, UtcWithMillisecondsAndZ) {
  const system_clock::time_point t{seconds(1795861200) + milliseconds(7)};
  EXPECT_EQ(FormatIsoUtc(t), "2026-11-28T10:20:00.007Z");
}

TEST(TimeFormatTest, LocalTimeZoneChangesNothing) {
  const char* before = getenv("TZ");
  const std::string saved = before ? before : "";
  setenv("TZ", "America/New_York", 1);
  tzset();
  const std::string text = FormatIsoUtc(system_clock::time_point{seconds(0)});
  if (before) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_EQ(text, "1970-01-01T00:00:00.000Z");
}

TEST(TimeFormatTest, BeforeTheEpochKeepsMillisecondsPositive) {
  EXPECT_EQ(FormatIsoUtc(system_clock::time_point{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace cnake
