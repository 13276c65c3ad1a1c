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

TEST(FirstCheckHistoryTest, TheServerIsTakenToGiveEtasUntilMostAnswersLackOne) {
  FirstCheckHistory h;
  for (std::size_t i = 1; i < FirstCheckHistory::kMinSamples; ++i) {
    h.RecordUnfinishedAnswer(false);
    EXPECT_TRUE(h.ServerGivesEta()) << "too few answers to tell, after " << i;
  }
  h.RecordUnfinishedAnswer(false);
  EXPECT_FALSE(h.ServerGivesEta());
  // Half of the last window with an eta is enough (a server that gives
  // none while a job is queued, and one once it runs).
  for (int i = 0; i < 16; ++i) {
    h.RecordUnfinishedAnswer(true);
    h.RecordUnfinishedAnswer(false);
  }
  EXPECT_TRUE(h.ServerGivesEta());
}

TEST(FirstCheckHistoryTest, LearnedChecksStartBeforeTheTenthPercentile) {
  FirstCheckHistory h;
  EXPECT_FALSE(h.LearnedStart()) << "nothing learned yet";
  EXPECT_FALSE(h.LearnedHorizon());
  EXPECT_DOUBLE_EQ(h.LearnedStep(false), FirstCheckHistory::kSpreadStep);
  // 0.200..0.231 s: the 10th percentile is 0.203, the 90th 0.228.
  for (int i = 0; i < 32; ++i) h.RecordExpectedFinish(0.2 + i / 1000.0);
  ASSERT_TRUE(h.LearnedStart());
  EXPECT_DOUBLE_EQ(*h.LearnedStart(), FirstCheckHistory::kLearnedLead * 0.203);
  EXPECT_DOUBLE_EQ(*h.LearnedHorizon(), 0.228);
  EXPECT_DOUBLE_EQ(h.LearnedStep(false), FirstCheckHistory::kFineStep) << "steady: fine steps";
  EXPECT_DOUBLE_EQ(h.LearnedStep(true), FirstCheckHistory::kFineStep);
  // Most first checks find jobs done: they became faster, start earlier
  // and step coarsely towards them.
  for (int i = 0; i < 32; ++i) h.Record(true);
  EXPECT_DOUBLE_EQ(*h.LearnedStart(), FirstCheckHistory::kFasterLead * 0.203);
  EXPECT_DOUBLE_EQ(h.LearnedStep(false), FirstCheckHistory::kSpreadStep);
  for (int i = 0; i < 32; ++i) h.Record(false);
  // Spread out (0.1..3.2 s): coarser steps, coarsest under the rate limit.
  for (int i = 1; i <= 32; ++i) h.RecordExpectedFinish(i / 10.0);
  EXPECT_DOUBLE_EQ(h.LearnedStep(false), FirstCheckHistory::kSpreadStep);
  EXPECT_DOUBLE_EQ(h.LearnedStep(true), FirstCheckHistory::kRateLimitedStep);
  EXPECT_DOUBLE_EQ(*h.LearnedStart(), FirstCheckHistory::kLearnedLead * 0.4);
}

}  // namespace
}  // namespace cnake::scheduler
