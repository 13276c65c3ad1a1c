// The batch lifecycle over both stores: claims that find nothing, batches
// whose runner is gone, stopped batches and the adoption of their entries.
#include "engine/batch_lifecycle.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "store/duckdb/duckdb_store.h"
#include "store/memory/memory_store.h"
#include "testing/fake_clock.h"
#include "testing/seeded_entropy.h"
#include "testing/temp_dir.h"

namespace cnake::engine {
namespace {

using nlohmann::json;

enum class Kind { kDuckDb, kMemory };

class BatchLifecycleTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kDuckDb) {
      auto s = DuckDbStore::Open({dir_.File("l.duckdb"), {}, {}});
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(s).value();
    } else {
      store_ = std::make_unique<MemoryStore>(clock_);
    }
    lifecycle_ = std::make_unique<BatchLifecycle>(*store_, clock_, entropy_);
  }
  // Entries e100.. (tagged "odd" or "even" by number).
  void Seed(int n, int from = 0) {
    std::vector<EntryInput> in;
    for (int i = from; i < from + n; ++i) {
      in.push_back({"e" + std::to_string(100 + i),
                    "cdef int x = " + std::to_string(i),
                    {},
                    {i % 2 ? "odd" : "even"},
                    {}});
    }
    ASSERT_TRUE(store_->UpsertEntries(in).ok());
  }
  ClaimedBatch Claim(std::int64_t limit, bool adopt = false, EntryFilter filter = {}) {
    clock_.Advance(std::chrono::seconds(1));  // distinct start times: "oldest first"
    ClaimOptions claim;
    claim.limit = limit;
    claim.filter = filter;
    auto batch = lifecycle_->Claim(json::object(), claim, adopt);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    return batch.ok() ? *batch : ClaimedBatch{};
  }
  // A run of `batch` that submitted `submitted` (request ids r-<entry>) and
  // completed `completed` of its entries, then stopped as `status`.
  void Work(const std::string& batch, std::vector<std::string> submitted,
            std::vector<std::string> completed, BatchStatus status) {
    auto work = store_->OpenWork(batch, {"runner-1", "host", 1});
    ASSERT_TRUE(work.ok()) << work.status().ToString();
    ASSERT_TRUE((*work)->Lease(100).ok());
    WriteGroup group;
    for (const auto& id : submitted) group.submitted.push_back({id, "r-" + id, 0, 1});
    for (const auto& id : completed)
      group.completions.push_back({id, "x = 0\n", json::object(), 1});
    ASSERT_TRUE((*work)->Commit(group).ok());
    ASSERT_TRUE((*work)->Release().ok());
    if (status != BatchStatus::kRunning) {
      BatchUpdate update;
      update.status = status;
      ASSERT_TRUE(store_->UpdateBatch(batch, update).ok());
    }
  }
  Entry Get(const std::string& id) {
    if (auto* memory = dynamic_cast<MemoryStore*>(store_.get())) return *memory->EntryById(id);
    auto* duck = static_cast<DuckDbStore*>(store_.get());
    auto r = duck->GetEntryById(id);
    EXPECT_TRUE(r.ok() && r->has_value());
    return **r;
  }
  BatchRecord Batch(const std::string& id) {
    auto b = store_->GetBatch(id);
    EXPECT_TRUE(b.ok() && b->has_value()) << id;
    return b.ok() && b->has_value() ? **b : BatchRecord{};
  }

  testing::TempDir dir_;
  FakeClock clock_;
  testing::SeededEntropy entropy_{3};
  std::unique_ptr<Store> store_;
  std::unique_ptr<BatchLifecycle> lifecycle_;
};

TEST_P(BatchLifecycleTest, AClaimThatFindsNothingCreatesNoBatch) {
  const ClaimedBatch none = Claim(10);
  EXPECT_TRUE(none.id.empty());
  EXPECT_EQ(none.claimed, 0);
  auto stats = store_->queries().GetStatistics();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->batches, 0);
  Seed(2);
  EXPECT_EQ(Claim(10).claimed, 2);
  EXPECT_TRUE(Claim(10).id.empty());  // everything is taken
  EXPECT_EQ(store_->queries().GetStatistics()->batches, 1);
}

TEST_P(BatchLifecycleTest, ARunningBatchThatNoRunnerHoldsIsInterruptedRunnerGone) {
  Seed(3);
  const ClaimedBatch b = Claim(3);
  // Recorded running, and no process runs it: its runner died.
  auto gone = lifecycle_->View(Batch(b.id));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->status, BatchStatus::kInterrupted);
  EXPECT_TRUE(gone->runner_gone);
  EXPECT_EQ(gone->label, "interrupted (runner gone)");
  EXPECT_EQ(gone->status_text, "interrupted");
  {
    auto work = store_->OpenWork(b.id, {"runner-1", "host", 1});
    ASSERT_TRUE(work.ok());
    auto live = lifecycle_->View(Batch(b.id));
    ASSERT_TRUE(live.ok());
    EXPECT_EQ(live->status, BatchStatus::kRunning);
    EXPECT_FALSE(live->runner_gone);
    EXPECT_EQ(live->label, "running");
    auto stopped = lifecycle_->Stopped({});
    ASSERT_TRUE(stopped.ok());
    EXPECT_TRUE(stopped->empty());  // a live runner holds it
    ASSERT_TRUE((*work)->Release().ok());
  }
  EXPECT_TRUE(lifecycle_->View(Batch(b.id))->runner_gone);
  // Other statuses are shown as recorded.
  Work(b.id, {}, {}, BatchStatus::kCancelled);
  EXPECT_EQ(lifecycle_->View(Batch(b.id))->label, "cancelled");
}

TEST_P(BatchLifecycleTest, StoppedListsUnfinishedWorkOldestFirst) {
  Seed(6);
  const ClaimedBatch a = Claim(3);  // e100..e102
  const ClaimedBatch b = Claim(3);  // e103..e105
  Work(a.id, {"e100"}, {"e101"}, BatchStatus::kInterrupted);
  Work(b.id, {}, {"e103", "e104", "e105"}, BatchStatus::kCompleted);
  auto stopped = lifecycle_->Stopped({});
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  ASSERT_EQ(stopped->size(), 1u);  // b has nothing unfinished
  EXPECT_EQ((*stopped)[0].work.batch.id, a.id);
  EXPECT_EQ((*stopped)[0].work.unfinished, 2);
  EXPECT_EQ((*stopped)[0].work.with_request_id, 1);
  EXPECT_EQ((*stopped)[0].view.label, "interrupted");
  // The filter applies: of e100 (even) and e102 (even), none is odd.
  EXPECT_TRUE(lifecycle_->Stopped({"odd", ""})->empty());
  EXPECT_EQ(lifecycle_->Stopped({"even", ""})->at(0).work.unfinished, 2);
}

TEST_P(BatchLifecycleTest, AdoptionKeepsRequestIdsAndKeysAndSettlesTheOldBatch) {
  Seed(5);
  const ClaimedBatch a = Claim(5);  // e100..e104
  Work(a.id, {"e101"}, {"e100"}, BatchStatus::kFailed);
  Seed(1, 10);  // e110, free
  const ClaimedBatch b = Claim(10, /*adopt=*/true);
  EXPECT_EQ(b.claimed, 5);  // 4 adopted, then the free one
  EXPECT_EQ(b.adopted, 4);
  const Entry submitted = Get("e101");
  EXPECT_EQ(submitted.batch_id, b.id);
  EXPECT_EQ(submitted.state, EntryState::kSubmitted);
  EXPECT_EQ(submitted.request_id, "r-e101");  // polled, never posted again
  EXPECT_EQ(submitted.key_batch_id, a.id);    // its old submission's key
  EXPECT_EQ(Get("e102").key_batch_id, a.id);  // may have been posted under a's key
  EXPECT_EQ(Get("e102").state, EntryState::kPending);
  EXPECT_FALSE(Get("e110").key_batch_id.has_value());
  EXPECT_EQ(Get("e100").batch_id, a.id);  // finished entries stay
  // The old batch keeps what it finished, and nothing is left for it.
  EXPECT_EQ(Batch(a.id).total, 1);
  EXPECT_EQ(Batch(a.id).status, BatchStatus::kCompleted);
  auto counts = store_->CountBatch(b.id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->total, 5);
  EXPECT_EQ(counts->submitted, 1);
  EXPECT_EQ(Batch(b.id).total, 5);
  // Leased like a resumed batch: the entry with a request id first.
  auto work = store_->OpenWork(b.id, {"runner-2", "host", 2});
  ASSERT_TRUE(work.ok());
  auto leased = (*work)->Lease(1);
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, "e101");
  EXPECT_TRUE(lifecycle_->Stopped({})->empty());
}

TEST_P(BatchLifecycleTest, AdoptionHonoursTheFilterAndTheLimit) {
  Seed(6);
  const ClaimedBatch a = Claim(6);
  Work(a.id, {}, {}, BatchStatus::kInterrupted);
  const ClaimedBatch odd = Claim(2, /*adopt=*/true, {"odd", ""});
  EXPECT_EQ(odd.claimed, 2);  // e101, e103 (limit 2; e105 stays)
  EXPECT_EQ(Get("e101").batch_id, odd.id);
  EXPECT_EQ(Get("e105").batch_id, a.id);
  EXPECT_EQ(Get("e100").batch_id, a.id);
  EXPECT_EQ(Batch(a.id).total, 4);
  EXPECT_EQ(Batch(a.id).status, BatchStatus::kInterrupted);  // work left
}

TEST_P(BatchLifecycleTest, ABatchWithALiveRunnerIsNotAdopted) {
  Seed(2);
  const ClaimedBatch a = Claim(2);
  auto work = store_->OpenWork(a.id, {"runner-1", "host", 1});
  ASSERT_TRUE(work.ok());
  EXPECT_TRUE(Claim(10, /*adopt=*/true).id.empty());
  EXPECT_EQ(Get("e100").batch_id, a.id);
}

// The run that completes a batch keeps its request log's figures with it
// (store/request_summary.h); a run that stops early does not.
TEST_P(BatchLifecycleTest, FinishingABatchKeepsItsRequestFiguresAndStoppingDoesNot) {
  auto* duck = dynamic_cast<DuckDbStore*>(store_.get());
  if (!duck) GTEST_SKIP() << "the in-memory store computes the figures on every read";
  Seed(2);
  const ClaimedBatch a = Claim(1), b = Claim(1);
  for (const ClaimedBatch* batch : {&a, &b}) {
    auto work = store_->OpenWork(batch->id, {"runner-1", "host", 1});
    ASSERT_TRUE(work.ok());
    ASSERT_EQ((*work)->Lease(1)->size(), 1u);
    WriteGroup g;
    g.requests.push_back({"", 1, "submit", 200, 40, "", clock_.WallNow()});
    g.requests.back().entry_id = batch == &a ? "e100" : "e101";
    ASSERT_TRUE((*work)->Commit(g).ok());
    ASSERT_TRUE((*work)->Release().ok());
  }
  RunSummary finished, interrupted;
  finished.reason = StopReason::kFinished;
  interrupted.reason = StopReason::kInterrupted;
  ASSERT_TRUE(lifecycle_->Finish(a.id, finished).ok());
  ASSERT_TRUE(lifecycle_->Finish(b.id, interrupted).ok());
  // A request logged afterwards (no run does this) shows which figures a
  // read takes: the kept ones, or the rows.
  for (const ClaimedBatch* batch : {&a, &b}) {
    ASSERT_TRUE(duck->connection()
                    .ExecuteWith("INSERT INTO api_requests (batch_id, latency_ms) VALUES (?, 80)",
                                 batch->id)
                    .ok());
  }
  const std::vector<double>& bounds = LatencyHistogram::BoundsList();
  auto kept = store_->queries().Latency({a.id}, bounds);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->count, 1);
  EXPECT_EQ(kept->max_ms, 40.0);
  auto rows = store_->queries().Latency({b.id}, bounds);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->count, 2);
}

INSTANTIATE_TEST_SUITE_P(Stores, BatchLifecycleTest,
                         ::testing::Values(Kind::kDuckDb, Kind::kMemory), [](const auto& info) {
                           return info.param == Kind::kDuckDb ? "DuckDb" : "Memory";
                         });

}  // namespace
}  // namespace cnake::engine
