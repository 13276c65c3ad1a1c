// The request-summary contract (store/request_summary.h), checked the same
// way on every store that keeps summaries. Test-only, header-only: for tests
// that link the store and GoogleTest.
#pragma once

#include <gtest/gtest.h>

#include "store/request_summary.h"
#include "store/store.h"
#include "util/clock.h"

namespace cnake::testing {

// On an empty store: a batch "b1" with three requests (10, 20, 30 ms, 7
// prompt tokens) gets a stored summary whose figures differ from its rows, so
// every read shows which one it used.
inline void ExpectStoredSummaryStandsInUntilTheStatusChanges(Store& store) {
  ASSERT_TRUE(store.UpsertEntries({{"e1", "code", {}, {}, {}}}).ok());
  ClaimOptions claim;
  claim.limit = 1;
  ASSERT_TRUE(store.ClaimNewBatch({"b1", nlohmann::json::object(), RealClock().WallNow()}, claim)
                  .ok());
  auto work = store.OpenWork("b1", {"runner", "host", 1});
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  ASSERT_EQ((*work)->Lease(1)->size(), 1u);
  WriteGroup g;
  for (int i = 1; i <= 3; ++i) {
    g.requests.push_back({"e1", i, "submit", 200, 10.0 * i, "", RealClock().WallNow()});
  }
  g.requests[0].prompt_tokens = 7;
  ASSERT_TRUE((*work)->Commit(g).ok());
  ASSERT_TRUE((*work)->Release().ok());

  const std::vector<double> bounds = {15};
  Queries& q = store.queries();
  auto live = SummarizeRequests(q, "b1", bounds);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->latency.count, 3);
  EXPECT_EQ(live->latency.p50_ms, 20.0);
  EXPECT_EQ(live->latency.histogram, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(live->tokens.prompt_tokens, 7);
  auto round_trip = ParseRequestSummary(RequestSummaryJson(*live));
  ASSERT_TRUE(round_trip);
  EXPECT_EQ(round_trip->latency.p90_ms, live->latency.p90_ms);
  EXPECT_EQ(round_trip->latency.histogram, live->latency.histogram);

  RequestSummary marked = *live;  // what only the stored summary says
  marked.latency.count = 99;
  marked.latency.p50_ms = 7.5;
  marked.tokens.prompt_tokens = 1234;
  BatchUpdate done;
  done.status = BatchStatus::kCompleted;
  done.request_summary = RequestSummaryJson(marked);
  ASSERT_TRUE(store.UpdateBatch("b1", done).ok());
  const auto latency_count = [&](const std::vector<double>& b, ReportScope scope) {
    auto l = q.Latency(scope, b);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? l->count : -1;
  };
  EXPECT_EQ(latency_count(bounds, {"b1"}), 99) << "a completed batch reads its summary";
  EXPECT_EQ(q.Latency({"b1"}, bounds)->p50_ms, 7.5);
  EXPECT_EQ(q.TokenTotals("b1")->prompt_tokens, 1234);
  EXPECT_EQ(latency_count({16}, {"b1"}), 3) << "other bounds: the rows";
  EXPECT_EQ(latency_count(bounds, {}), 3) << "every batch: the rows";
  EXPECT_EQ(q.TokenTotals("")->prompt_tokens, 7);

  BatchUpdate waits;  // no status: the summary stays
  waits.add_retry_after_wait_seconds = 1;
  ASSERT_TRUE(store.UpdateBatch("b1", waits).ok());
  EXPECT_EQ(latency_count(bounds, {"b1"}), 99);

  BatchUpdate resumed;
  resumed.status = BatchStatus::kRunning;
  ASSERT_TRUE(store.UpdateBatch("b1", resumed).ok());
  EXPECT_EQ(latency_count(bounds, {"b1"}), 3) << "running again: the rows";
  BatchUpdate completed_again;  // without a summary: none comes back
  completed_again.status = BatchStatus::kCompleted;
  ASSERT_TRUE(store.UpdateBatch("b1", completed_again).ok());
  EXPECT_EQ(latency_count(bounds, {"b1"}), 3);
  EXPECT_EQ(q.TokenTotals("b1")->prompt_tokens, 7);
}

}  // namespace cnake::testing
