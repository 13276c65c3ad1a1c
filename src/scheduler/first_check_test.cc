#include "scheduler/first_check.h"

#include <gtest/gtest.h>

namespace cnake::scheduler {
namespace {

TEST(FirstCheckHistoryTest, AsksStatusUntilEnoughJobsWereSeen) {
  FirstCheckHistory h;
  for (std::size_t i = 0; i + 1 < FirstCheckHistory::kMinSamples; ++i) h.Record(true);
  EXPECT_FALSE(h.PreferResults());
  h.Record(true);
  EXPECT_TRUE(h.PreferResults());
}

TEST(FirstCheckHistoryTest, FollowsTheMajorityOfTheRecentWindow) {
  FirstCheckHistory h;
  for (int i = 0; i < 40; ++i) h.Record(true);
  EXPECT_TRUE(h.PreferResults());
  // Jobs slow down: after half a window of misses it switches back.
  for (std::size_t i = 0; i < FirstCheckHistory::kWindow / 2; ++i) h.Record(false);
  EXPECT_FALSE(h.PreferResults()) << "half done is not a majority";
  for (int i = 0; i < 40; ++i) h.Record(false);
  EXPECT_FALSE(h.PreferResults());
  for (std::size_t i = 0; i < FirstCheckHistory::kWindow / 2 + 1; ++i) h.Record(true);
  EXPECT_TRUE(h.PreferResults());
}

}  // namespace
}  // namespace cnake::scheduler
