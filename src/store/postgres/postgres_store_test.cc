// The store contract on a real PostgreSQL server (scripts/pg_server.sh):
// the lease rules the in-memory store pins (memory_store_test.cc) with
// several runners on one batch, takeover after a lapsed lease, commits that
// never apply twice, counters that stay exact under concurrent commits, and
// the rate-share handshake of the runner registry.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/duckdb/duckdb_store.h"
#include "store/transfer.h"
#include "testing/pg_database.h"
#include "testing/request_summary_checks.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

using namespace std::chrono_literals;

class PostgresStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<PostgresStore> Open(const std::string& url, Duration lease = 30s) {
    PostgresOptions o;
    o.url = url;
    o.lease_time = lease;
    o.renew_interval = lease / 3;
    auto s = PostgresStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static void Seed(Store& store, int n) {
    std::vector<EntryInput> in;
    for (int i = 0; i < n; ++i) in.push_back({"e" + std::to_string(100 + i), "code", {}, {}, {}});
    ASSERT_TRUE(store.UpsertEntries(in).ok());
  }
  static void Claim(Store& store, std::int64_t limit) {
    ClaimOptions claim;
    claim.limit = limit;
    auto n = store.ClaimNewBatch({"b1", nlohmann::json::object(), RealClock().WallNow()}, claim);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
  }
  static std::unique_ptr<WorkSession> Runner(Store& store, const std::string& name) {
    auto s = store.OpenWork("b1", {name, "host", 1});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static std::vector<std::string> Ids(const Result<std::vector<Entry>>& entries) {
    std::vector<std::string> ids;
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    if (entries.ok()) {
      for (const Entry& e : *entries) ids.push_back(e.id);
    }
    return ids;
  }
  static WriteGroup Completions(const std::vector<std::string>& ids, const std::string& code) {
    WriteGroup g;
    for (const auto& id : ids) g.completions.push_back({id, code, nlohmann::json::object(), 1});
    return g;
  }
};

TEST_F(PostgresStoreTest, MigrationCreatesTheTablesOnceAndDescribeHidesThePassword) {
  CNAKE_PG_DATABASE(db);
  auto first = Open(db.url());
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->migration().changed());
  EXPECT_EQ(first->migration().schema_version, first->migration().schema_version);
  auto second = Open(db.url());
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->migration().changed()) << "a second migration changes nothing";
  EXPECT_EQ(db.Query("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                     db.schema() + "'"),
            "7");
  EXPECT_EQ(first->Describe().rfind("postgresql://cnake@127.0.0.1:", 0), 0u) << first->Describe();
  EXPECT_TRUE(first->shared());
}

TEST_F(PostgresStoreTest, ClaimTakesPendingEntriesInIdOrderAndUpsertKeepsUnchangedOnes) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 5);
  auto again = store->UpsertEntries({{"e100", "code", {}, {}, {}},
                                     {"e101", "changed", {}, {}, {}},
                                     {"e200", "new", {}, {"math"}, {}}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->unchanged, 1);
  EXPECT_EQ(again->updated, 1);
  EXPECT_EQ(again->inserted, 1);
  ClaimOptions by_tag;
  by_tag.filter.tag = "math";
  EXPECT_EQ(store->PreviewClaim(by_tag)->count, 1);
  Claim(*store, 3);
  auto batch = store->GetBatch("b1");
  ASSERT_TRUE(batch.ok() && batch->has_value()) << batch.status().ToString();
  EXPECT_EQ((*batch)->total, 3);
  EXPECT_EQ((*batch)->status, BatchStatus::kRunning);
  EXPECT_EQ(db.Query("SELECT string_agg(id, ',' ORDER BY id) FROM cython_entries WHERE batch_id "
                     "= 'b1'"),
            "e100,e101,e102");
}

TEST_F(PostgresStoreTest, TwoRunnersLeaseDisjointEntriesAndDrainOnlyWhenAllAreHeld) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 6);
  Claim(*store, 6);
  auto a = Runner(*store, "a"), b = Runner(*store, "b");
  EXPECT_EQ(Ids(a->Lease(4)), (std::vector<std::string>{"e100", "e101", "e102", "e103"}));
  EXPECT_EQ(Ids(b->Lease(4)), (std::vector<std::string>{"e104", "e105"}));
  EXPECT_TRUE(a->Lease(4)->empty()) << "an entry is handed out once per session";
  EXPECT_FALSE(*a->Drained());
  EXPECT_FALSE(*b->Drained());
  ASSERT_TRUE(b->Commit(Completions({"e104", "e105"}, "x = 1")).ok());
  EXPECT_TRUE(*a->Drained()) << "every unfinished entry is a's";
  auto c = Runner(*store, "c");
  EXPECT_TRUE(c->Lease(10)->empty());
  EXPECT_FALSE(*c->Drained()) << "a holds unfinished entries that may come free";
  auto live = store->LiveRunners("b1");
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_EQ(live->size(), 3u);
  EXPECT_EQ((*live)[0].runner.id, "a");
  EXPECT_EQ((*live)[0].leased, 4);
  ASSERT_TRUE(a->Release().ok());
  EXPECT_EQ(Ids(c->Lease(10)).size(), 4u) << "released entries are free at once";
}

TEST_F(PostgresStoreTest, ALapsedLeaseIsTakenOverAndACommittedRequestIdIsKept) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url(), 1s);
  Seed(*store, 2);
  Claim(*store, 2);
  auto dead = Runner(*store, "dead"), live = Runner(*store, "live");
  ASSERT_EQ(dead->Lease(2)->size(), 2u);
  WriteGroup g;
  g.submitted.push_back({"e100", "req-1", 0, 1});
  ASSERT_TRUE(dead->Commit(g).ok());
  EXPECT_TRUE(live->Lease(2)->empty()) << "not before the lease lapses";
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<Entry>> taken = std::vector<Entry>();
  while (taken.ok() && taken->empty() && std::chrono::steady_clock::now() - start < 5s) {
    std::this_thread::sleep_for(50ms);
    taken = live->Lease(2);
  }
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms) << "the lease lasted";
  EXPECT_EQ((*taken)[0].id, "e100") << "entries with a request_id come first";
  EXPECT_EQ((*taken)[0].request_id, "req-1") << "polled, never posted again";
  EXPECT_FALSE((*taken)[1].request_id.has_value());
}

TEST_F(PostgresStoreTest, RenewedLeasesDoNotLapse) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url(), 1s);
  Seed(*store, 1);
  Claim(*store, 1);
  auto a = Runner(*store, "a"), b = Runner(*store, "b");
  ASSERT_EQ(a->Lease(1)->size(), 1u);
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(300ms);
    ASSERT_TRUE(a->Renew().ok());
    ASSERT_TRUE(b->Renew().ok());
  }
  EXPECT_TRUE(b->Lease(1)->empty());
}

TEST_F(PostgresStoreTest, ARunnerThatLostItsLeaseCannotFinishTheEntryTwice) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url(), 1s);
  Seed(*store, 1);
  Claim(*store, 1);
  auto old_runner = Runner(*store, "old"), new_runner = Runner(*store, "new");
  ASSERT_EQ(old_runner->Lease(1)->size(), 1u);
  std::this_thread::sleep_for(1200ms);
  ASSERT_EQ(new_runner->Lease(1)->size(), 1u);
  ASSERT_TRUE(new_runner->Commit(Completions({"e100"}, "x = 1")).ok());
  ASSERT_TRUE(old_runner->Commit(Completions({"e100"}, "x = 2")).ok());
  EXPECT_EQ(db.Query("SELECT code FROM python_entries WHERE cython_id = 'e100'"), "x = 1");
  EXPECT_EQ(db.Query("SELECT count(*) FROM python_entries"), "1");
  auto batch = store->GetBatch("b1");
  EXPECT_EQ((*batch)->successful, 1);
  EXPECT_EQ((*batch)->processed, 1);
}

TEST_F(PostgresStoreTest, CommitMovesTheCountersByTheEntriesItMadeFinal) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 3);
  Claim(*store, 3);
  auto a = Runner(*store, "a");
  ASSERT_EQ(a->Lease(3)->size(), 3u);
  WriteGroup g;
  g.completions.push_back({"e100", "x = 1", {{"request_id", "r1"}}, 1});
  g.failures.push_back({"e101", "http_400", "bad", 400, 1, "r2", "generate"});
  g.state_changes.push_back({"e102", EntryState::kRetrying, 2, std::nullopt, false, 0});
  g.requests.push_back({"e100", 1, "generate", 202, 12.5, "", RealClock().WallNow()});
  ASSERT_TRUE(a->Commit(g).ok());
  ASSERT_TRUE(a->Commit(g).ok()) << "the same group again changes nothing final";
  auto counts = a->Counts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->completed, 1);
  EXPECT_EQ(counts->failed, 1);
  EXPECT_EQ(counts->retrying, 1);
  auto batch = store->GetBatch("b1");
  EXPECT_EQ((*batch)->processed, 2);
  EXPECT_EQ((*batch)->failed, 1);
  EXPECT_EQ(db.Query("SELECT count(*) FROM processing_errors"), "1");
  EXPECT_EQ(db.Query("SELECT count(*) FROM api_requests"), "2") << "each commit logs its requests";
  EXPECT_EQ(db.Query("SELECT metadata->>'request_id' FROM python_entries"), "r1");
  auto stats = store->queries().GetStatistics();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->total_entries, 3);
  EXPECT_EQ(stats->by_state[EntryState::kCompleted], 1);
  EXPECT_EQ(stats->python_entries, 1);
  auto latency = store->queries().Latency(ReportScope{"b1"}, {10, 100});
  ASSERT_TRUE(latency.ok()) << latency.status().ToString();
  EXPECT_EQ(latency->count, 2);
  EXPECT_EQ(latency->p50_ms, 12.5);
  EXPECT_EQ(latency->histogram, (std::vector<std::int64_t>{0, 2, 0}));
  auto errors = store->queries().RecentErrors("b1", 5);
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(*errors, std::vector<std::string>{"e101: http_400: bad"});
}

TEST_F(PostgresStoreTest, ReportedTokensAreSummedAndSurviveACopyToDuckDbAndBack) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 2);
  Claim(*store, 2);
  auto a = Runner(*store, "a");
  ASSERT_EQ(a->Lease(2)->size(), 2u);
  WriteGroup g;
  RequestLog with_usage{"e100", 1, "chat", 200, 30, "", RealClock().WallNow()};
  with_usage.prompt_tokens = 120;
  with_usage.completion_tokens = 45;
  g.requests.push_back(with_usage);
  with_usage.attempt = 2;
  with_usage.prompt_tokens = 100;
  with_usage.completion_tokens = 5;
  g.requests.push_back(with_usage);
  g.requests.push_back({"e101", 1, "chat", 0, 0, "interrupted", RealClock().WallNow()});
  ASSERT_TRUE(a->Commit(g).ok());
  auto totals = store->queries().TokenTotals("b1");
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->prompt_tokens, 220);
  EXPECT_EQ(totals->completion_tokens, 50);
  EXPECT_EQ(totals->requests_with_usage, 2);
  EXPECT_EQ(totals->entries_with_usage, 1);
  EXPECT_EQ(totals->interrupted, 1);
  EXPECT_EQ(store->queries().TokenTotals("other")->total(), 0);

  testing::TempDir dir;
  auto duck = DuckDbStore::Open({dir.File("copy.duckdb"), {}, {}});
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  ASSERT_TRUE(CopyStore(*store, **duck).ok());
  auto copied = (*duck)->queries().TokenTotals("b1");
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->prompt_tokens, 220);
  EXPECT_EQ(copied->completion_tokens, 50);
  CNAKE_PG_DATABASE(back);
  auto again = Open(back.url());
  ASSERT_TRUE(CopyStore(**duck, *again).ok());
  EXPECT_EQ(again->queries().TokenTotals("")->completion_tokens, 50);
}

TEST_F(PostgresStoreTest, ACompletedBatchsRequestSummaryStandsInForItsRequestLog) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  testing::ExpectStoredSummaryStandsInUntilTheStatusChanges(*store);
}

TEST_F(PostgresStoreTest, CountersStayExactUnderConcurrentCommits) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 200);
  Claim(*store, 200);
  // Sessions open on this thread (the Store's); each is then used by one thread.
  std::vector<std::unique_ptr<WorkSession>> sessions;
  for (int r = 0; r < 4; ++r) sessions.push_back(Runner(*store, "r" + std::to_string(r)));
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (auto& work : sessions) {
    threads.emplace_back([&errors, work = work.get()] {
      for (;;) {
        auto leased = work->Lease(7);
        if (!leased.ok()) return (void)++errors;
        if (leased->empty()) break;
        WriteGroup g;
        for (const Entry& e : *leased) {
          if (e.id.back() % 3 == 0) {
            g.failures.push_back({e.id, "http_400", "bad", 400, 1, "", "generate"});
          } else {
            g.completions.push_back({e.id, "x", nlohmann::json::object(), 1});
          }
        }
        if (!work->Commit(g).ok()) return (void)++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(errors.load(), 0);
  auto batch = store->GetBatch("b1");
  auto counts = store->CountBatch("b1");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->finished(), 200);
  EXPECT_EQ((*batch)->processed, 200);
  EXPECT_EQ((*batch)->successful, counts->completed);
  EXPECT_EQ((*batch)->failed, counts->failed);
  EXPECT_EQ(db.Query("SELECT count(*) FROM python_entries"), std::to_string(counts->completed));
}

TEST_F(PostgresStoreTest, RenewReportsACancelledBatch) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 1);
  Claim(*store, 1);
  auto a = Runner(*store, "a");
  EXPECT_FALSE(a->Renew()->cancelled);
  BatchUpdate cancel;
  cancel.status = BatchStatus::kCancelled;
  ASSERT_TRUE(store->UpdateBatch("b1", cancel).ok());
  EXPECT_TRUE(a->Renew()->cancelled);
}

TEST_F(PostgresStoreTest, AJoiningRunnerSendsOnlyOnceTheOthersMadeRoomForIt) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url());
  Seed(*store, 1);
  Claim(*store, 1);
  auto a = Runner(*store, "a");
  EXPECT_EQ(a->Renew()->rate_share, 1.0) << "alone: the whole rate";
  auto b = Runner(*store, "b");
  EXPECT_EQ(b->Renew()->rate_share, 0.0) << "a has not counted b yet";
  EXPECT_EQ(a->Renew()->rate_share, 0.5) << "a counts b and halves its share";
  EXPECT_EQ(b->Renew()->rate_share, 0.5) << "now b may send";
  auto c = Runner(*store, "c");
  EXPECT_EQ(c->Renew()->rate_share, 0.0);
  EXPECT_EQ(a->Renew()->rate_share, 1.0 / 3);
  EXPECT_EQ(c->Renew()->rate_share, 0.0) << "b has not counted c yet";
  EXPECT_EQ(b->Renew()->rate_share, 1.0 / 3);
  EXPECT_EQ(c->Renew()->rate_share, 1.0 / 3);
  auto live = store->LiveRunners("b1");
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 3u);
  EXPECT_DOUBLE_EQ((*live)[2].rate_share, 1.0 / 3);
  ASSERT_TRUE(b->Release().ok());
  ASSERT_TRUE(c->Release().ok());
  EXPECT_EQ(a->Renew()->rate_share, 1.0) << "the others left: the whole rate again";
}

TEST_F(PostgresStoreTest, ADeadRunnerStopsCountingAfterItsLease) {
  CNAKE_PG_DATABASE(db);
  auto store = Open(db.url(), 1s);
  Seed(*store, 1);
  Claim(*store, 1);
  auto a = Runner(*store, "a"), dead = Runner(*store, "dead");
  EXPECT_EQ(a->Renew()->rate_share, 0.5);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(a->Renew()->rate_share, 0.5) << "the dead runner's lease has not lapsed yet";
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(a->Renew()->rate_share, 1.0);
}

TEST_F(PostgresStoreTest, AnUnreachableServerIsADatabaseErrorThatSaysWhatToCheck) {
  PostgresOptions o;
  o.url = "postgresql://cnake@127.0.0.1:9/nothing?connect_timeout=2";
  auto s = PostgresStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDatabase);
  EXPECT_NE(s.status().message().find("cannot connect to PostgreSQL at postgresql://cnake@"),
            std::string::npos)
      << s.status().message();
}

TEST_F(PostgresStoreTest, AnErrorMessageNeverCarriesThePassword) {
  PostgresOptions o;
  o.url = "postgresql://cnake:s3cr3t-pw@127.0.0.1:9/nothing?connect_timeout=2";
  auto s = PostgresStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find("s3cr3t-pw"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace cnake
