#include "scheduler/first_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

TEST(FirstCheckHistoryTest, SteadyFinishIsTheNinetiethPercentileOfSteadyExpectedFinishes) {
  FirstCheckHistory h;
  for (std::size_t i = 0; i + 1 < FirstCheckHistory::kMinSamples; ++i) {
    h.RecordExpectedFinish(0.2);
  }
  EXPECT_FALSE(h.SteadyFinish(FirstCheckHistory::kSteadySpread)) << "too few samples";
  h.RecordExpectedFinish(0.2);
  ASSERT_TRUE(h.SteadyFinish(FirstCheckHistory::kSteadySpread));
  EXPECT_DOUBLE_EQ(*h.SteadyFinish(FirstCheckHistory::kSteadySpread), 0.2);
  // 1.00..1.31 s: steady (the 90th percentile, the 29th smallest of 32, is
  // 1.28, within 1.25 times the 10th, the 4th smallest, 1.03).
  for (int i = 0; i < 32; ++i) h.RecordExpectedFinish(1.0 + i / 100.0);
  ASSERT_TRUE(h.SteadyFinish(FirstCheckHistory::kSteadySpread));
  EXPECT_DOUBLE_EQ(*h.SteadyFinish(FirstCheckHistory::kSteadySpread), 1.28);
  // Spread out (1..32 s): no steady finish, the engine polls early.
  for (int i = 1; i <= 32; ++i) h.RecordExpectedFinish(i);
  EXPECT_FALSE(h.SteadyFinish(FirstCheckHistory::kSteadySpread));
  // Only the last window counts: jobs became steady again.
  for (int i = 0; i < 32; ++i) h.RecordExpectedFinish(0.5);
  ASSERT_TRUE(h.SteadyFinish(FirstCheckHistory::kSteadySpread));
  EXPECT_DOUBLE_EQ(*h.SteadyFinish(FirstCheckHistory::kSteadySpread), 0.5);
  h.RecordExpectedFinish(-1);
  h.RecordExpectedFinish(std::nan(""));
  EXPECT_DOUBLE_EQ(*h.SteadyFinish(FirstCheckHistory::kSteadySpread), 0.5)
      << "unusable values are ignored";
}

TEST(FirstCheckHistoryTest, VerySteadyIsNarrowerThanSteady) {
  FirstCheckHistory h;
  // 0.200..0.231 s: the 90th percentile, 0.228, is 1.11 times the 10th, 0.203.
  for (int i = 0; i < 32; ++i) h.RecordExpectedFinish(0.2 + i / 1000.0);
  EXPECT_TRUE(h.SteadyFinish(FirstCheckHistory::kSteadySpread));
  EXPECT_FALSE(h.SteadyFinish(FirstCheckHistory::kVerySteadySpread));
  // 0.200..0.2062 s: 1.03 times.
  for (int i = 0; i < 32; ++i) h.RecordExpectedFinish(0.2 + i / 5000.0);
  ASSERT_TRUE(h.SteadyFinish(FirstCheckHistory::kVerySteadySpread));
  EXPECT_DOUBLE_EQ(*h.SteadyFinish(FirstCheckHistory::kVerySteadySpread), 0.2 + 28 / 5000.0);
}

TEST(FirstCheckHistoryTest, EveryEighthSteadyJobIsARefresh) {
  FirstCheckHistory h;
  std::vector<int> refreshes;
  for (int i = 1; i <= 24; ++i) {
    if (h.TakeRefresh()) refreshes.push_back(i);
  }
  EXPECT_EQ(refreshes, (std::vector<int>{8, 16, 24}));
}

}  // namespace
}  // namespace cnake::scheduler
