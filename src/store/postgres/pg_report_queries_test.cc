// The typed reads and the stranded-work rules on a real PostgreSQL server:
// every report row equals the DuckDB store's for the same commits (so
// `report` and the run summary print the same figures on either store), and
// adoption moves a stopped batch's unfinished entries with their request_id
// and Idempotency-Key batch, never an entry a live runner leases.
#include <gtest/gtest.h>

#include "store/duckdb/duckdb_store.h"
#include "store/postgres/postgres_store.h"
#include "testing/pg_database.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<PostgresStore> OpenPg(const std::string& url, Duration lease = 30s,
                                      bool create = true) {
  PostgresOptions o;
  o.url = url;
  o.lease_time = lease;
  o.renew_interval = lease / 3;
  o.create_if_missing = create;
  auto s = PostgresStore::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// The batch of report/performance_test.cc's StoresAgreeTest.
void Fill(Store& store, SystemTimePoint start) {
  std::vector<EntryInput> in;
  for (const char* id : {"e1", "e2", "e3", "e4", "e5", "e6", "e7"}) in.push_back({id, "x"});
  ASSERT_TRUE(store.UpsertEntries(in).ok());
  ClaimOptions claim;
  claim.limit = 6;  // e7 stays unclaimed
  ASSERT_TRUE(store.ClaimNewBatch({"b1", {{"base_url", "http://h/api"}}, start}, claim).ok());
  WriteGroup g;
  g.completions = {{"e1", "y", {{"latency_ms", 12.5}}, 1}, {"e2", "y", {}, 3}};
  g.failures = {{"e3", "job_failed", "job 1234 failed after 77 ms", 200, 2, "r3", "status"},
                {"e4", "http_500", "boom", 500, 1, "", "submit"}};
  g.state_changes = {{"e5", EntryState::kRetrying, 2, "http_503: later"}};
  const double latencies[] = {3, 7, 70, 700, 1e6, 2, 40};
  const char* endpoints[] = {"submit", "submit", "status", "result", "status", "", "submit"};
  const int statuses[] = {200, 429, 200, 200, 503, 0, 200};
  const char* errors[] = {"", "http_429", "", "", "http_503", "connection_refused", ""};
  for (int i = 0; i < 7; ++i) {
    g.requests.push_back({i < 4 ? "e1" : "e3", i + 1, endpoints[i], statuses[i], latencies[i],
                          errors[i], start + std::chrono::seconds(i)});
  }
  auto work = store.OpenWork("b1", {"runner", "host", 1});
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  ASSERT_TRUE((*work)->Commit(g).ok());
  ASSERT_TRUE((*work)->Release().ok());
  BatchUpdate done;
  done.status = BatchStatus::kCompleted;
  done.completed_at = start + 10s;
  done.add_retry_after_wait_seconds = 1.5;
  ASSERT_TRUE(store.UpdateBatch("b1", done).ok());
}

template <typename Row>
std::vector<Row> Collect(const std::function<Status(const std::function<Status(const Row&)>&)>& f) {
  std::vector<Row> rows;
  EXPECT_TRUE(f([&](const Row& r) { return rows.push_back(r), Status::Ok(); }).ok());
  return rows;
}

TEST(PostgresReportQueries, EveryReportRowEqualsDuckDbs) {
  CNAKE_PG_DATABASE(db);
  testing::TempDir dir;
  auto duck = DuckDbStore::Open({dir.File("s.duckdb"), {}, {}});
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  auto pg = OpenPg(db.url());
  ASSERT_TRUE(pg);
  const auto start = std::chrono::time_point_cast<std::chrono::seconds>(RealClock().WallNow());
  Fill(**duck, start);
  Fill(*pg, start);
  Queries& d = (*duck)->queries();
  Queries& p = pg->queries();
  const std::vector<double> bounds = {5, 50, 500, 5000};
  for (const ReportScope& scope : {ReportScope{"b1"}, ReportScope{}}) {
    SCOPED_TRACE(scope.batch_id.value_or("all"));
    auto dl = d.Latency(scope, bounds), pl = p.Latency(scope, bounds);
    ASSERT_TRUE(dl.ok() && pl.ok()) << dl.status().ToString() << pl.status().ToString();
    EXPECT_EQ(pl->count, 7);
    EXPECT_EQ(pl->p50_ms, 40);
    EXPECT_EQ(std::tie(pl->p50_ms, pl->p90_ms, pl->p99_ms, pl->max_ms, pl->histogram),
              std::tie(dl->p50_ms, dl->p90_ms, dl->p99_ms, dl->max_ms, dl->histogram));
    EXPECT_DOUBLE_EQ(*pl->mean_ms, *dl->mean_ms);
    auto ds = d.EntryStates(scope), ps = p.EntryStates(scope);
    ASSERT_TRUE(ps.ok()) << ps.status().ToString();
    EXPECT_EQ(ps->by_state, ds->by_state);
    EXPECT_EQ(ps->total(), 6);
    auto dr = d.CountRequests(scope), pr = p.CountRequests(scope);
    ASSERT_TRUE(pr.ok()) << pr.status().ToString();
    EXPECT_EQ(std::tie(pr->total, pr->failed, pr->http_429, pr->by_endpoint, pr->by_http_status),
              std::tie(dr->total, dr->failed, dr->http_429, dr->by_endpoint, dr->by_http_status));
    auto da = d.AttemptsPerEntry(scope), pa = p.AttemptsPerEntry(scope);
    ASSERT_TRUE(pa.ok()) << pa.status().ToString();
    ASSERT_EQ(pa->size(), 3u);
    for (std::size_t i = 0; i < pa->size(); ++i) {
      EXPECT_EQ(std::tie((*pa)[i].attempts, (*pa)[i].entries),
                std::tie((*da)[i].attempts, (*da)[i].entries));
    }
    auto de = d.RequestErrors(scope), pe = p.RequestErrors(scope);
    ASSERT_TRUE(pe.ok()) << pe.status().ToString();
    ASSERT_EQ(pe->size(), 3u);
    for (std::size_t i = 0; i < pe->size(); ++i) {
      const RequestErrorRow &a = (*pe)[i], &b = (*de)[i];
      EXPECT_EQ(std::tie(a.endpoint, a.error_type, a.http_status, a.count, a.first_seen),
                std::tie(b.endpoint, b.error_type, b.http_status, b.count, b.first_seen));
    }
    auto pf = p.Finishes(scope);
    ASSERT_TRUE(pf.ok()) << pf.status().ToString();
    ASSERT_TRUE(pf->start.has_value()) << "two completions and two failures finished";
    auto buckets = p.FinishesPerBucket(scope, pf->start_epoch_ms, 3600);
    ASSERT_TRUE(buckets.ok()) << buckets.status().ToString();
    ASSERT_EQ(buckets->size(), 1u);
    EXPECT_EQ(buckets->front().completed, 2);
    EXPECT_EQ(buckets->front().failed, 2);
  }
  const ReportScope b1{"b1"};
  using FailFn = std::function<Status(const std::function<Status(const FailureRow&)>&)>;
  auto df = Collect<FailureRow>(FailFn([&](auto f) { return d.ForEachFailure(b1, f); }));
  auto pf = Collect<FailureRow>(FailFn([&](auto f) { return p.ForEachFailure(b1, f); }));
  ASSERT_EQ(pf.size(), 2u);
  for (std::size_t i = 0; i < pf.size(); ++i) {
    EXPECT_EQ(std::tie(pf[i].entry_id, pf[i].error_type, pf[i].http_status, pf[i].message),
              std::tie(df[i].entry_id, df[i].error_type, df[i].http_status, df[i].message));
    EXPECT_EQ(pf[i].occurred_at.size(), df[i].occurred_at.size()) << pf[i].occurred_at;
  }
  using DetailFn = std::function<Status(const std::function<Status(const EntryDetailRow&)>&)>;
  auto dd = Collect<EntryDetailRow>(DetailFn([&](auto f) { return d.ForEachEntryDetail(b1, f); }));
  auto pd = Collect<EntryDetailRow>(DetailFn([&](auto f) { return p.ForEachEntryDetail(b1, f); }));
  ASSERT_EQ(pd.size(), 6u);
  for (std::size_t i = 0; i < pd.size(); ++i) {
    SCOPED_TRACE(pd[i].entry_id);
    const EntryDetailRow &a = pd[i], &b = dd[i];
    EXPECT_EQ(std::tie(a.entry_id, a.batch_id, a.state, a.attempts, a.latency_ms, a.requests,
                       a.request_ms_total, a.error_type, a.http_status, a.error, a.python_id),
              std::tie(b.entry_id, b.batch_id, b.state, b.attempts, b.latency_ms, b.requests,
                       b.request_ms_total, b.error_type, b.http_status, b.error, b.python_id));
    EXPECT_EQ(a.processed_at.has_value(), b.processed_at.has_value());
  }
  EXPECT_EQ(pd[0].latency_ms, 12.5);
  EXPECT_EQ(pd[2].error_type, "job_failed");
  auto db_rows = d.ReportBatches(b1), pb = p.ReportBatches(b1);
  ASSERT_TRUE(pb.ok()) << pb.status().ToString();
  ASSERT_EQ(pb->size(), 1u);
  const ReportBatchRow &a = pb->front(), &b = db_rows->front();
  EXPECT_EQ(std::tie(a.id, a.status, a.status_text, a.started_at, a.completed_at, a.total_entries,
                     a.retry_after_wait_seconds, a.breaker_open_seconds, a.wall_time_seconds),
            std::tie(b.id, b.status, b.status_text, b.started_at, b.completed_at, b.total_entries,
                     b.retry_after_wait_seconds, b.breaker_open_seconds, b.wall_time_seconds));
  EXPECT_DOUBLE_EQ(a.wall_time_seconds, 10);
  EXPECT_EQ(nlohmann::json::parse(*a.options_json), nlohmann::json::parse(*b.options_json));
  auto none = p.ReportBatches(ReportScope{"nope"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// A stopped batch's unfinished entries: listed with their counts, adopted by
// a new batch with their request_id and the old batch as their key's batch;
// an entry a live runner leases stays where it is.
TEST(PostgresStrandedWork, AdoptionKeepsRequestIdsAndKeysAndSkipsLiveLeases) {
  CNAKE_PG_DATABASE(db);
  auto store = OpenPg(db.url(), 1s);
  ASSERT_TRUE(store);
  std::vector<EntryInput> in;
  for (int i = 0; i < 6; ++i) in.push_back({"e" + std::to_string(i), "code"});
  ASSERT_TRUE(store->UpsertEntries(in).ok());
  ClaimOptions claim;
  claim.limit = 6;
  ASSERT_EQ(*store->ClaimNewBatch({"old", nlohmann::json::object(), RealClock().WallNow()}, claim),
            6);
  {
    auto dead = store->OpenWork("old", {"dead", "h", 1});
    ASSERT_TRUE(dead.ok());
    ASSERT_EQ((*dead)->Lease(6)->size(), 6u);
    WriteGroup g;
    g.submitted = {{"e0", "req-0", 0, 1}};
    g.completions = {{"e5", "y", nlohmann::json::object(), 1}};
    ASSERT_TRUE((*dead)->Commit(g).ok());
    auto live = store->LiveRunners("old");
    ASSERT_TRUE(live.ok());
    ASSERT_EQ(live->size(), 1u);
    EXPECT_EQ(live->front().runner.id, "dead");
    EXPECT_EQ(live->front().leased, 5);
    // kill -9: no Release (the session ends without giving anything back),
    // and its lease lapses.
    db.Exec("UPDATE cnake_runners SET expires_at = now() - interval '1 second'");
  }
  auto gone = store->LiveRunners("old");
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->empty()) << "a runner whose lease lapsed is not live";
  // A live runner of the old batch leases e4 again before the adoption.
  auto holder = store->OpenWork("old", {"holder", "h", 2});
  ASSERT_TRUE(holder.ok());
  db.Exec("UPDATE cython_entries SET lease_owner = 'holder' WHERE id = 'e4'");
  auto work = store->UnfinishedWork({});
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  ASSERT_EQ(work->size(), 1u);
  EXPECT_EQ(work->front().batch.id, "old");
  EXPECT_EQ(work->front().unfinished, 5);
  EXPECT_EQ(work->front().with_request_id, 1);
  ClaimOptions adopt;
  adopt.limit = 10;
  adopt.adopt_from = {"old"};
  auto n = store->ClaimNewBatch({"new", nlohmann::json::object(), RealClock().WallNow()}, adopt);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 4) << "e0..e3; e4 is leased by a live runner, e5 is completed";
  EXPECT_EQ(db.Query("SELECT string_agg(id, ',' ORDER BY id) FROM cython_entries WHERE "
                     "batch_id = 'new' AND key_batch_id = 'old' AND lease_owner IS NULL"),
            "e0,e1,e2,e3");
  EXPECT_EQ(db.Query("SELECT request_id FROM cython_entries WHERE id = 'e0'"), "req-0");
  EXPECT_EQ((*store->GetBatch("new"))->total, 4);
  EXPECT_EQ((*store->GetBatch("old"))->total, 2) << "e4 and e5 stay with the old batch";
  auto newcomer = store->OpenWork("new", {"newcomer", "h", 3});
  ASSERT_TRUE(newcomer.ok());
  auto leased = (*newcomer)->Lease(10);
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 4u);
  EXPECT_EQ(leased->front().id, "e0") << "stored request_ids first";
  EXPECT_EQ(leased->front().request_id, "req-0");
  EXPECT_EQ(leased->front().key_batch_id, "old");
  // A claim that finds nothing creates no batch.
  ClaimOptions nothing;
  nothing.limit = 5;
  auto none =
      store->ClaimNewBatch({"empty", nlohmann::json::object(), RealClock().WallNow()}, nothing);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  EXPECT_FALSE(store->GetBatch("empty")->has_value());
  ASSERT_TRUE((*newcomer)->Release().ok());
  ASSERT_TRUE((*holder)->Release().ok());
}

TEST(PostgresStore, WithoutCreateIfMissingAnEmptyDatabaseIsNotFound) {
  CNAKE_PG_DATABASE(db);
  PostgresOptions o;
  o.url = db.url();
  o.create_if_missing = false;
  auto s = PostgresStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound) << s.status().ToString();
  EXPECT_NE(s.status().message().find("run `init` or `import`"), std::string::npos);
  ASSERT_TRUE(OpenPg(db.url()));  // init
  EXPECT_TRUE(PostgresStore::Open(o).ok()) << "once the tables exist";
}

}  // namespace
}  // namespace cnake
