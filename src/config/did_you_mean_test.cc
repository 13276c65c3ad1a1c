#include "config/did_you_mean.h"

#include <gtest/gtest.h>

namespace cnake {
namespace {

TEST(EditDistanceTest, CountsEdits) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("max_concurent", "max_concurrent"), 1u);  // deletion
  EXPECT_EQ(EditDistance("tiemout", "timeout"), 1u);               // adjacent swap
  EXPECT_EQ(EditDistance("API", "api"), 0u);                       // case-insensitive
}

TEST(DidYouMeanTest, SuggestsClosePlausibleCandidate) {
  const std::vector<std::string> keys = {"processing.max_concurrent", "processing.batch_size",
                                         "api.timeout"};
  EXPECT_EQ(DidYouMean("processing.max_concurent", keys), "processing.max_concurrent");
  EXPECT_EQ(DidYouMean("api.tiemout", keys), "api.timeout");
  EXPECT_EQ(DidYouMean("completely.unrelated", keys), std::nullopt);
  EXPECT_EQ(DidYouMean("api.timeout", keys), std::nullopt);  // exact: nothing to suggest
}

}  // namespace
}  // namespace cnake
