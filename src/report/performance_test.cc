// The one definition of the performance figures (report/performance.h), and
// the store reads behind it and the reports: DuckDB's latency figures match
// its own quantile_cont, and the in-memory store gives the same rows as
// DuckDB for the same commits.
#include "report/performance.h"

#include <gtest/gtest.h>

#include <sstream>

#include "report/renderer.h"
#include "report/report_writer.h"
#include "store/duckdb/duckdb_store.h"
#include "store/memory/memory_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace cnake::report {
namespace {

using namespace std::chrono_literals;

TEST(Performance, ThroughputIsFinishedOverTheSummedWallTime) {
  std::vector<ReportBatchRow> batches(2);
  batches[0].wall_time_seconds = 10;
  batches[1].wall_time_seconds = 6;
  StateCounts entries;
  entries.by_state[EntryState::kCompleted] = 30;
  entries.by_state[EntryState::kFailed] = 2;
  entries.by_state[EntryState::kPending] = 9;
  const Performance p = PerformanceOf(batches, entries, {});
  EXPECT_EQ(p.finished, 32);
  EXPECT_DOUBLE_EQ(p.wall_time_seconds, 16);
  EXPECT_DOUBLE_EQ(*p.entries_per_second, 2);
  EXPECT_FALSE(PerformanceOf({}, entries, {}).entries_per_second.has_value());
  EXPECT_EQ(FormatMs(12.25), "12.2");  // round half to even, as printf
  EXPECT_EQ(FormatMs(70), "70.0");
  EXPECT_EQ(FormatRate(1.0 / 3), "0.33");
}

// The same batch, run through the Store interface into DuckDB and into the
// in-memory store: every report read gives the same rows (times that each
// store takes from its own clock aside).
class StoresAgreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto duck = DuckDbStore::Open({dir_.File("s.duckdb"), {}, {}});
    ASSERT_TRUE(duck.ok()) << duck.status().ToString();
    duck_ = std::move(duck).value();
    for (Store* store : {static_cast<Store*>(duck_.get()), static_cast<Store*>(&memory_)}) {
      Fill(*store);
    }
  }

  void Fill(Store& store) {
    std::vector<EntryInput> in;
    for (const char* id : {"e1", "e2", "e3", "e4", "e5", "e6", "e7"}) in.push_back({id, "x"});
    ASSERT_TRUE(store.UpsertEntries(in).ok());
    ClaimOptions claim;
    claim.limit = 6;  // e7 stays unclaimed
    const SystemTimePoint start = clock_.WallNow();
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
    ASSERT_TRUE(work.ok());
    ASSERT_TRUE((*work)->Commit(g).ok());
    ASSERT_TRUE((*work)->Release().ok());
    BatchUpdate done;
    done.status = BatchStatus::kCompleted;
    done.completed_at = start + 10s;
    done.add_retry_after_wait_seconds = 1.5;
    ASSERT_TRUE(store.UpdateBatch("b1", done).ok());
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<DuckDbStore> duck_;
  MemoryStore memory_{clock_};
};

TEST_F(StoresAgreeTest, ReportRowsAndFiguresAreTheSame) {
  Queries& d = duck_->queries();
  Queries& m = memory_.queries();
  for (const ReportScope& scope : {ReportScope{"b1"}, ReportScope{}}) {
    SCOPED_TRACE(scope.batch_id.value_or("all"));
    auto dp = ReadPerformance(d, scope), mp = ReadPerformance(m, scope);
    ASSERT_TRUE(dp.ok() && mp.ok()) << dp.status().ToString() << mp.status().ToString();
    EXPECT_EQ(dp->finished, 4);
    EXPECT_EQ(mp->finished, 4);
    EXPECT_DOUBLE_EQ(dp->wall_time_seconds, 10);
    EXPECT_DOUBLE_EQ(mp->wall_time_seconds, 10);
    EXPECT_EQ(dp->entries_per_second, mp->entries_per_second);
    EXPECT_EQ(dp->latency.count, 7);
    EXPECT_EQ(mp->latency.count, 7);
    EXPECT_EQ(dp->latency.p50_ms, 40);
    EXPECT_EQ(mp->latency.p50_ms, dp->latency.p50_ms);
    EXPECT_EQ(mp->latency.p90_ms, dp->latency.p90_ms);
    EXPECT_EQ(mp->latency.p99_ms, dp->latency.p99_ms);
    EXPECT_DOUBLE_EQ(*mp->latency.mean_ms, *dp->latency.mean_ms);
    EXPECT_EQ(mp->latency.max_ms, dp->latency.max_ms);
    EXPECT_EQ(mp->latency.histogram, dp->latency.histogram);

    auto ds = d.EntryStates(scope), ms = m.EntryStates(scope);
    EXPECT_EQ(ds->by_state, ms->by_state);
    EXPECT_EQ(ds->total(), 6);
    auto dr = d.CountRequests(scope), mr = m.CountRequests(scope);
    EXPECT_EQ(dr->total, 7);
    EXPECT_EQ(std::tie(dr->total, dr->failed, dr->http_429),
              std::tie(mr->total, mr->failed, mr->http_429));
    EXPECT_EQ(dr->by_endpoint, mr->by_endpoint);
    EXPECT_EQ(dr->by_http_status, mr->by_http_status);
    EXPECT_EQ(dr->by_http_status.back().first, std::nullopt);  // no response: last
    auto da = d.AttemptsPerEntry(scope), ma = m.AttemptsPerEntry(scope);
    ASSERT_EQ(da->size(), 3u);  // 1 (e1, e4), 2 (e3), 3 (e2)
    ASSERT_EQ(ma->size(), da->size());
    for (std::size_t i = 0; i < da->size(); ++i) {
      EXPECT_EQ((*da)[i].attempts, (*ma)[i].attempts);
      EXPECT_EQ((*da)[i].entries, (*ma)[i].entries);
    }
    auto de = d.RequestErrors(scope), me = m.RequestErrors(scope);
    ASSERT_EQ(de->size(), 3u);
    ASSERT_EQ(me->size(), de->size());
    for (std::size_t i = 0; i < de->size(); ++i) {
      const RequestErrorRow &a = (*de)[i], &b = (*me)[i];
      EXPECT_EQ(std::tie(a.endpoint, a.error_type, a.http_status, a.count, a.first_seen),
                std::tie(b.endpoint, b.error_type, b.http_status, b.count, b.first_seen));
    }
  }
}

TEST_F(StoresAgreeTest, FailuresDetailsAndBatchesAreTheSame) {
  const ReportScope scope{"b1"};
  std::vector<FailureRow> df, mf;
  ASSERT_TRUE(
      duck_->queries()
          .ForEachFailure(scope, [&](const FailureRow& f) { return df.push_back(f), Status::Ok(); })
          .ok());
  ASSERT_TRUE(
      memory_.queries()
          .ForEachFailure(scope, [&](const FailureRow& f) { return mf.push_back(f), Status::Ok(); })
          .ok());
  ASSERT_EQ(df.size(), 2u);
  ASSERT_EQ(mf.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(std::tie(df[i].entry_id, df[i].error_type, df[i].http_status, df[i].message),
              std::tie(mf[i].entry_id, mf[i].error_type, mf[i].http_status, mf[i].message));
  }
  std::vector<EntryDetailRow> dd, md;
  ASSERT_TRUE(duck_->queries()
                  .ForEachEntryDetail(
                      scope, [&](const EntryDetailRow& r) { return dd.push_back(r), Status::Ok(); })
                  .ok());
  ASSERT_TRUE(memory_.queries()
                  .ForEachEntryDetail(
                      scope, [&](const EntryDetailRow& r) { return md.push_back(r), Status::Ok(); })
                  .ok());
  ASSERT_EQ(dd.size(), 6u);
  ASSERT_EQ(md.size(), 6u);
  for (std::size_t i = 0; i < dd.size(); ++i) {
    SCOPED_TRACE(dd[i].entry_id);
    const EntryDetailRow &a = dd[i], &b = md[i];
    EXPECT_EQ(std::tie(a.entry_id, a.batch_id, a.state, a.attempts, a.latency_ms, a.requests,
                       a.request_ms_total, a.error_type, a.http_status, a.error, a.python_id),
              std::tie(b.entry_id, b.batch_id, b.state, b.attempts, b.latency_ms, b.requests,
                       b.request_ms_total, b.error_type, b.http_status, b.error, b.python_id));
    EXPECT_EQ(a.processed_at.has_value(), b.processed_at.has_value());
  }
  EXPECT_EQ(dd[0].latency_ms, 12.5);
  EXPECT_EQ(dd[0].requests, 4);
  EXPECT_EQ(dd[2].error_type, "job_failed");
  EXPECT_EQ(dd[4].error, "http_503: later");
  auto db = duck_->queries().ReportBatches(scope), mb = memory_.queries().ReportBatches(scope);
  ASSERT_EQ(db->size(), 1u);
  ASSERT_EQ(mb->size(), 1u);
  const ReportBatchRow &a = db->front(), &b = mb->front();
  EXPECT_EQ(std::tie(a.id, a.status, a.status_text, a.started_at, a.completed_at, a.total_entries,
                     a.retry_after_wait_seconds, a.breaker_open_seconds),
            std::tie(b.id, b.status, b.status_text, b.started_at, b.completed_at, b.total_entries,
                     b.retry_after_wait_seconds, b.breaker_open_seconds));
  EXPECT_EQ(nlohmann::json::parse(*a.options_json), nlohmann::json::parse(*b.options_json));
  auto none = memory_.queries().ReportBatches(ReportScope{"nope"});
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(ReadPerformance(memory_.queries(), ReportScope{"nope"}).status().code(),
            StatusCode::kNotFound);
}

// Every report type and format renders from the in-memory store as from
// DuckDB (the report code sees only Queries), with the same figures.
TEST_F(StoresAgreeTest, EveryReportRendersFromEitherStore) {
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    for (const FormatSpec& f : ReportFormats()) {
      SCOPED_TRACE(std::string(ReportTypeName(type)) + " " + ReportFormatName(f.format));
      ReportRequest req;
      req.scope.batch_id = "b1";
      req.type = type;
      req.format = f.format;
      req.generated_at = "2026-01-02T00:00:00.000Z";
      std::ostringstream d, m;
      ASSERT_TRUE(WriteReport(duck_->queries(), req, d).ok());
      ASSERT_TRUE(WriteReport(memory_.queries(), req, m).ok());
      EXPECT_FALSE(m.str().empty());
      if (type == ReportType::kSummary && f.format == ReportFormat::kJson) {
        const auto dj = nlohmann::json::parse(d.str()), mj = nlohmann::json::parse(m.str());
        for (const char* key : {"entries", "latency_ms", "latency_histogram_ms", "requests",
                                "attempts", "waits", "throughput_entries_per_second"}) {
          EXPECT_EQ(dj[key], mj[key]) << key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace cnake::report
