// The store contract's queue semantics on the in-memory store: claims,
// leases held by several runners on one batch, takeover after a lease lapses,
// and commits that never apply twice.
#include "store/memory/memory_store.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace cnake {
namespace {

constexpr auto kLease = std::chrono::seconds(30);

class MemoryStoreTest : public ::testing::Test {
 protected:
  void Seed(int n) {
    std::vector<EntryInput> in;
    for (int i = 0; i < n; ++i) in.push_back({"e" + std::to_string(100 + i), "code", {}, {}, {}});
    ASSERT_TRUE(store_.UpsertEntries(in).ok());
  }
  std::string Claim(std::int64_t limit) {
    ClaimOptions claim;
    claim.limit = limit;
    auto n = store_.ClaimNewBatch({"b1", nlohmann::json::object(), clock_.WallNow()}, claim);
    EXPECT_TRUE(n.ok());
    return "b1";
  }
  std::unique_ptr<WorkSession> Runner(const std::string& name) {
    auto s = store_.OpenWork("b1", {name, "host", 1});
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  static std::vector<std::string> Ids(const std::vector<Entry>& entries) {
    std::vector<std::string> ids;
    for (const Entry& e : entries) ids.push_back(e.id);
    return ids;
  }

  FakeClock clock_;
  MemoryStore store_{clock_, kLease};
};

TEST_F(MemoryStoreTest, ClaimTakesPendingEntriesInIdOrderAndRecordsTheTotal) {
  Seed(5);
  Claim(3);
  auto batch = store_.GetBatch("b1");
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->total, 3);
  EXPECT_EQ((*batch)->status, BatchStatus::kRunning);
  EXPECT_EQ(store_.EntryById("e102")->batch_id, "b1");
  EXPECT_FALSE(store_.EntryById("e103")->batch_id.has_value());
}

TEST_F(MemoryStoreTest, TwoRunnersLeaseDisjointEntriesAndDrainOnlyWhenAllAreHeld) {
  Seed(6);
  Claim(6);
  auto a = Runner("a"), b = Runner("b");
  auto first = a->Lease(4);
  auto second = b->Lease(4);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"e100", "e101", "e102", "e103"}));
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"e104", "e105"}));
  EXPECT_TRUE(a->Lease(4)->empty()) << "an entry is handed out once per session";
  // Each waits for the other's entries: should the other die, they come free.
  EXPECT_FALSE(*a->Drained());
  EXPECT_FALSE(*b->Drained());
  WriteGroup b_done;
  for (const char* id : {"e104", "e105"}) {
    b_done.completions.push_back({id, "x = 1", nlohmann::json::object(), 1});
  }
  ASSERT_TRUE(b->Commit(b_done).ok());
  EXPECT_TRUE(*a->Drained()) << "every unfinished entry is a's";
  auto c = Runner("c");
  EXPECT_TRUE(c->Lease(10)->empty());
  EXPECT_FALSE(*c->Drained()) << "a holds unfinished entries that may come free";
}

TEST_F(MemoryStoreTest, ALapsedLeaseIsTakenOverAndACommittedRequestIdIsKept) {
  Seed(2);
  Claim(2);
  auto dead = Runner("dead"), live = Runner("live");
  ASSERT_EQ(dead->Lease(2)->size(), 2u);
  WriteGroup g;
  g.submitted.push_back({"e100", "req-1", 0, 1});
  ASSERT_TRUE(dead->Commit(g).ok());
  clock_.Advance(kLease - std::chrono::seconds(1));
  EXPECT_TRUE(live->Lease(2)->empty()) << "not before the lease lapses";
  clock_.Advance(std::chrono::seconds(2));
  auto taken = live->Lease(2);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_EQ((*taken)[0].id, "e100") << "entries with a request_id come first";
  EXPECT_EQ((*taken)[0].request_id, "req-1") << "polled, never posted again";
  EXPECT_FALSE((*taken)[1].request_id.has_value());
}

TEST_F(MemoryStoreTest, RenewedLeasesDoNotLapse) {
  Seed(1);
  Claim(1);
  auto a = Runner("a"), b = Runner("b");
  ASSERT_EQ(a->Lease(1)->size(), 1u);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(kLease / 2);
    ASSERT_TRUE(a->Renew().ok());
  }
  EXPECT_TRUE(b->Lease(1)->empty());
}

TEST_F(MemoryStoreTest, ARunnerThatLostItsLeaseCannotFinishTheEntryTwice) {
  Seed(1);
  Claim(1);
  auto old_runner = Runner("old"), new_runner = Runner("new");
  ASSERT_EQ(old_runner->Lease(1)->size(), 1u);
  clock_.Advance(kLease + std::chrono::seconds(1));
  ASSERT_EQ(new_runner->Lease(1)->size(), 1u);
  WriteGroup done;
  done.completions.push_back({"e100", "x = 1", nlohmann::json::object(), 1});
  ASSERT_TRUE(new_runner->Commit(done).ok());
  WriteGroup late;
  late.completions.push_back({"e100", "x = 2", nlohmann::json::object(), 1});
  ASSERT_TRUE(old_runner->Commit(late).ok());
  EXPECT_EQ(store_.Results().at("e100").code, "x = 1");
  auto batch = store_.GetBatch("b1");
  EXPECT_EQ((*batch)->successful, 1);
  EXPECT_EQ((*batch)->processed, 1);
}

TEST_F(MemoryStoreTest, CommitMovesTheCountersByTheEntriesItMadeFinal) {
  Seed(3);
  Claim(3);
  auto a = Runner("a");
  ASSERT_EQ(a->Lease(3)->size(), 3u);
  WriteGroup g;
  g.completions.push_back({"e100", "x = 1", nlohmann::json::object(), 1});
  g.failures.push_back({"e101", "http_400", "bad", 400, 1, "", "generate"});
  g.state_changes.push_back({"e102", EntryState::kRetrying, 2, std::nullopt, false, 0});
  ASSERT_TRUE(a->Commit(g).ok());
  ASSERT_TRUE(a->Commit(g).ok()) << "the same group again changes nothing final";
  auto counts = a->Counts();
  EXPECT_EQ(counts->completed, 1);
  EXPECT_EQ(counts->failed, 1);
  EXPECT_EQ(counts->retrying, 1);
  auto batch = store_.GetBatch("b1");
  EXPECT_EQ((*batch)->processed, 2);
  EXPECT_EQ((*batch)->failed, 1);
  EXPECT_EQ(store_.Errors().size(), 1u);
}

TEST_F(MemoryStoreTest, RenewReportsACancelledBatch) {
  Seed(1);
  Claim(1);
  auto a = Runner("a");
  EXPECT_FALSE(a->Renew()->cancelled);
  BatchUpdate cancel;
  cancel.status = BatchStatus::kCancelled;
  ASSERT_TRUE(store_.UpdateBatch("b1", cancel).ok());
  EXPECT_TRUE(a->Renew()->cancelled);
}

TEST_F(MemoryStoreTest, WhatReadAllGivesWriteAllRestoresIntoAnotherStore) {
  Seed(3);
  Claim(2);
  auto a = Runner("a");
  ASSERT_EQ(a->Lease(2)->size(), 2u);
  WriteGroup g;
  g.completions.push_back({"e100", "x = 1", {{"k", 1}}, 1});
  g.failures.push_back({"e101", "http_400", "bad", 400, 1, "r2", "generate"});
  ASSERT_TRUE(a->Commit(g).ok());
  MemoryStore copy{clock_, kLease};
  auto totals = CopyStore(store_, copy);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->entries, 3);
  EXPECT_EQ(totals->results, 1);
  EXPECT_EQ(totals->batches, 1);
  EXPECT_EQ(totals->errors, 1);
  EXPECT_EQ(copy.EntryById("e101")->state, EntryState::kFailed);
  EXPECT_EQ(copy.EntryById("e100")->batch_id, "b1");
  EXPECT_EQ(copy.Results().at("e100").code, "x = 1");
  EXPECT_EQ((*copy.GetBatch("b1"))->successful, 1);
  EXPECT_EQ(copy.Errors().at(0).error_type, "http_400");
}

}  // namespace
}  // namespace cnake
