#include "store/duckdb/duckdb_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/duckdb/work_session.h"
#include "testing/request_summary_checks.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

std::unique_ptr<DuckDbStore> OpenStore(const std::string& path) {
  auto s = DuckDbStore::Open({path, {}, {}});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

std::vector<EntryInput> Inputs(int n, const std::string& prefix = "e") {
  std::vector<EntryInput> v;
  for (int i = 0; i < n; ++i) {
    char id[32];
    snprintf(id, sizeof id, "%s%04d", prefix.c_str(), i);
    v.push_back({id,
                 "cdef int x = " + std::to_string(i),
                 "entry " + std::to_string(i),
                 {i % 2 ? "odd" : "even"},
                 nlohmann::json{{"n", i}}});
  }
  return v;
}

TEST(StoreTest, UpsertIsIdempotentAndResetsChangedCode) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  auto first = s.UpsertEntries(Inputs(5));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->inserted, 5);
  auto again = s.UpsertEntries(Inputs(5));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->unchanged, 5);

  ASSERT_TRUE(s.MarkAsProcessed("e0001", true, "py:e0001").ok());
  auto changed = Inputs(5);
  changed[1].code = "cdef int y";
  auto third = s.UpsertEntries(changed);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->updated, 1);
  EXPECT_EQ(third->unchanged, 4);
  ASSERT_EQ(third->updated_ids, std::vector<std::string>{"e0001"});
  auto e = s.GetEntryById("e0001");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->code, "cdef int y");
  EXPECT_EQ((*e)->state, EntryState::kPending);
  EXPECT_FALSE((*e)->python_id);
}

// Many import chunks in one process: the staging table must not keep the
// rows of earlier chunks (a temporary table never checkpoints, so rows a
// DELETE removed stayed in memory, and this ran out of memory_limit at the
// sixth chunk of 1 MB).
TEST(StoreTest, ManyUpsertChunksStayWithinTheMemoryLimit) {
  testing::TempDir dir;
  StoreOptions options{dir.File("s.duckdb"), {}, {}};
  options.open.memory_limit = "16MB";
  options.open.checkpoint_threshold = "2MB";  // the entries' own appends stay small
  auto s = DuckDbStore::Open(options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::string padding(1000, '#');
  for (int chunk = 0; chunk < 40; ++chunk) {
    auto inputs = Inputs(1000, "c" + std::to_string(chunk) + "-");
    for (auto& e : inputs) e.code += "\n" + padding;
    auto r = (*s)->UpsertEntries(inputs);
    ASSERT_TRUE(r.ok()) << "chunk " << chunk << ": " << r.status().ToString();
    ASSERT_EQ(r->inserted, 1000);
  }
  auto stats = (*s)->connection().Query("SELECT count(*) FROM cython_entries");
  ASSERT_TRUE(stats.ok());
  auto chunk = stats->NextChunk();
  ASSERT_TRUE(chunk);
  EXPECT_EQ(chunk->GetInt64(0, 0), 40000);
}

TEST(StoreTest, DuplicateIdsInOneCallKeepTheFirst) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  auto in = Inputs(2);
  in.push_back(in[0]);
  in.back().code = "other";
  auto r = s.UpsertEntries(in);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2);
  EXPECT_EQ((*s.GetEntryById("e0000"))->code, "cdef int x = 0");
}

TEST(StoreTest, UnprocessedEntriesUseKeysetPagination) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  ASSERT_TRUE(s.UpsertEntries(Inputs(25)).ok());
  ASSERT_TRUE(s.MarkAsProcessed("e0003", false, std::nullopt).ok());
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto page = s.GetUnprocessedEntries(10, after);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 10u);
    for (const Entry& e : *page) seen.push_back(e.id);
    after = page->back().id;
  }
  EXPECT_EQ(seen.size(), 24u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::find(seen.begin(), seen.end(), "e0003"), seen.end());
}

TEST(StoreTest, UnprocessedEntriesFilterByTagAndPrefix) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  ASSERT_TRUE(s.UpsertEntries(Inputs(6, "a/")).ok());
  ASSERT_TRUE(s.UpsertEntries(Inputs(4, "b/")).ok());
  auto odd_b = s.GetUnprocessedEntries(100, "", {"odd", "b/"});
  ASSERT_TRUE(odd_b.ok()) << odd_b.status().ToString();
  ASSERT_EQ(odd_b->size(), 2u);
  EXPECT_EQ((*odd_b)[0].id, "b/0001");
  EXPECT_EQ(s.GetUnprocessedEntries(100, "", {"", "a/"})->size(), 6u);
}

TEST(StoreTest, StorePythonCodeReplacesInsteadOfDuplicating) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  ASSERT_TRUE(s.UpsertEntries(Inputs(1)).ok());
  auto id1 = s.StorePythonCode("e0000", "x = 1", {{"attempts", 1}});
  ASSERT_TRUE(id1.ok()) << id1.status().ToString();
  auto id2 = s.StorePythonCode("e0000", "x = 2", {{"attempts", 2}});
  ASSERT_TRUE(id2.ok()) << id2.status().ToString();
  EXPECT_EQ(*id1, *id2);
  auto r = s.connection().Query("SELECT count(*), any_value(code) FROM python_entries");
  auto chunk = r->NextChunk();
  EXPECT_EQ(chunk->GetInt64(0, 0), 1);
  EXPECT_EQ(chunk->GetString(1, 0), "x = 2");
}

TEST(StoreTest, MarkAsProcessedUnknownIdIsNotFound) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  EXPECT_EQ(s.MarkAsProcessed("nope", true, std::nullopt).code(), StatusCode::kNotFound);
}

TEST(StoreTest, StatisticsCountEveryState) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  ASSERT_TRUE(s.UpsertEntries(Inputs(4)).ok());
  ASSERT_TRUE(s.MarkAsProcessed("e0000", true, std::nullopt).ok());
  ASSERT_TRUE(s.MarkAsProcessed("e0001", false, std::nullopt).ok());
  auto st = s.queries().GetStatistics();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->total_entries, 4);
  EXPECT_EQ(st->by_state[EntryState::kPending], 2);
  EXPECT_EQ(st->by_state[EntryState::kCompleted], 1);
  EXPECT_EQ(st->by_state[EntryState::kFailed], 1);
  EXPECT_EQ(st->by_state[EntryState::kRetrying], 0);
  EXPECT_EQ(st->by_state.size(), 6u);
}

TEST(StoreTest, BatchRecordLifecycle) {
  testing::TempDir dir;
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  ASSERT_TRUE(s.UpsertEntries(Inputs(10)).ok());
  const std::string id = "b-1";
  ClaimOptions claim;
  claim.limit = 10;
  auto claimed =
      s.ClaimNewBatch({id, {{"max_concurrent", 4}}, std::chrono::system_clock::now()}, claim);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(*claimed, 10);
  {
    auto work = s.OpenWork(id, {"r", "h", 1});
    ASSERT_TRUE(work.ok()) << work.status().ToString();
    ASSERT_EQ((*work)->Lease(100)->size(), 10u);
    WriteGroup g;
    for (int i = 0; i < 9; ++i) {
      g.completions.push_back({Inputs(10)[i].id, "x = 1", nlohmann::json::object(), 1});
    }
    g.failures.push_back({Inputs(10)[9].id, "http_400", "bad", 400, 1, "", "generate"});
    ASSERT_TRUE((*work)->Commit(g).ok());
    ASSERT_TRUE((*work)->Release().ok());  // the counters move with the fold
  }
  BatchUpdate u;
  u.status = BatchStatus::kCompleted;
  u.completed_at = std::chrono::system_clock::now();
  ASSERT_TRUE(s.UpdateBatch(id, u).ok());
  auto b = s.GetBatch(id);
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->status, BatchStatus::kCompleted);
  EXPECT_EQ((*b)->processed, 10);
  EXPECT_EQ((*b)->successful, 9);
  EXPECT_EQ((*b)->failed, 1);
  EXPECT_FALSE((*b)->completed_at.empty());
  EXPECT_EQ(s.UpdateBatch("missing", u).code(), StatusCode::kNotFound);
  EXPECT_EQ(s.queries().GetStatistics()->recent_batches.size(), 1u);
}

// Preparing for release folds the journal and checkpoints: the commits so
// far reach the entries table and the file, the WAL is left empty, and
// later commits still land.
TEST(StoreTest, PreparingForReleaseLeavesTheWalEmptyAndLaterCommitsLand) {
  testing::TempDir dir;
  const std::string path = dir.File("s.duckdb");
  auto s = OpenStore(path);
  ASSERT_TRUE(s->UpsertEntries(Inputs(10)).ok());
  ClaimOptions claim;
  claim.limit = 10;
  ASSERT_EQ(*s->ClaimNewBatch({"b", {}, std::chrono::system_clock::now()}, claim), 10);
  auto work = s->OpenWork("b", {"r", "h", 1});
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  ASSERT_EQ((*work)->Lease(100)->size(), 10u);
  auto complete = [&](int from, int to) {
    WriteGroup g;
    for (int i = from; i < to; ++i) {
      g.completions.push_back({Inputs(10)[i].id, "x = 1", nlohmann::json::object(), 1});
    }
    ASSERT_TRUE((*work)->Commit(g).ok());
  };
  complete(0, 6);
  auto wal_bytes = [&] {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path + ".wal", ec);
    return ec ? std::uintmax_t{0} : n;
  };
  EXPECT_GT(wal_bytes(), 0u);
  EXPECT_EQ(s->CountBatch("b")->completed, 0) << "folded before the call";
  ASSERT_TRUE((*work)->PrepareForRelease().ok());
  EXPECT_EQ(wal_bytes(), 0u);
  EXPECT_EQ(s->CountBatch("b")->completed, 6);
  complete(6, 10);
  ASSERT_TRUE((*work)->Release().ok());
  EXPECT_EQ(s->CountBatch("b")->completed, 10);
  EXPECT_EQ(s->queries().GetStatistics()->python_entries, 10);
}

TEST(StoreTest, TheEarlyCheckpointNeedsRoomForTheFileAndItsWalOnceMore) {
  EXPECT_TRUE(RoomToCheckpoint(100, 60, 30));
  EXPECT_FALSE(RoomToCheckpoint(100, 60, 40));
  EXPECT_FALSE(RoomToCheckpoint(0, 0, 0));
}

// Lease pages: entries with a request_id first, then the others, each by id
// and each once, on our table and on a foreign one with its own column named
// rowid, which shadows DuckDB's (every row's is 0 there: a lease that picked
// rows by rowid would hand out the whole batch in one page).
std::vector<std::vector<std::string>> LeasePages(const std::string& path, bool rowid_column) {
  if (rowid_column) {
    auto db = db::Database::Open(path);
    auto conn = db::Connection::Open(*db);
    EXPECT_TRUE(conn->Execute("CREATE TABLE cython_entries (id VARCHAR PRIMARY KEY, code VARCHAR "
                              "NOT NULL, rowid BIGINT DEFAULT 0)")
                    .ok());
  }
  auto s = OpenStore(path);
  EXPECT_TRUE(s->UpsertEntries(Inputs(8)).ok());
  ClaimOptions claim;
  claim.limit = 8;
  EXPECT_EQ(*s->ClaimNewBatch({"b", {}, std::chrono::system_clock::now()}, claim), 8);
  EXPECT_TRUE(s->connection()
                  .Execute("UPDATE cython_entries SET request_id = 'r' WHERE id IN ('e0006', "
                           "'e0001', 'e0003')")
                  .ok());
  auto work = s->OpenWork("b", {"r", "h", 1});
  EXPECT_TRUE(work.ok()) << work.status().ToString();
  std::vector<std::vector<std::string>> pages;
  while (!*(*work)->Drained()) {
    auto page = (*work)->Lease(2);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    pages.emplace_back();
    for (const Entry& e : *page) pages.back().push_back(e.id);
  }
  return pages;
}

TEST(StoreTest, LeasePagesComeInOrderWhetherOrNotTheTableHasARowidColumn) {
  testing::TempDir dir;
  const std::vector<std::vector<std::string>> expected = {
      {"e0001", "e0003"}, {"e0006", "e0000"}, {"e0002", "e0004"}, {"e0005", "e0007"}, {}};
  EXPECT_EQ(LeasePages(dir.File("ours.duckdb"), false), expected);
  EXPECT_EQ(LeasePages(dir.File("foreign.duckdb"), true), expected);
}

TEST(StoreTest, ACompletedBatchsRequestSummaryStandsInForItsRequestLog) {
  testing::TempDir dir;
  auto s = OpenStore(dir.File("s.duckdb"));
  testing::ExpectStoredSummaryStandsInUntilTheStatusChanges(*s);
}

TEST(StoreTest, DataSurvivesReopen) {
  testing::TempDir dir;
  {
    auto s_owner = OpenStore(dir.File("s.duckdb"));
    DuckDbStore& s = *s_owner;
    ASSERT_TRUE(s.UpsertEntries(Inputs(3)).ok());
  }
  auto s_owner = OpenStore(dir.File("s.duckdb"));
  DuckDbStore& s = *s_owner;
  EXPECT_EQ(s.queries().GetStatistics()->total_entries, 3);
  EXPECT_FALSE(s.migration().changed());
}

TEST(StoreTest, SecondHandleInSameProcessIsRefused) {
  testing::TempDir dir;
  auto first = OpenStore(dir.File("s.duckdb"));
  ASSERT_TRUE(first);
  auto second = DuckDbStore::Open({dir.File("./s.duckdb"), {}, {}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
}

TEST(StoreTest, HostileTableNameLeavesFileUntouched) {
  testing::TempDir dir;
  auto s = DuckDbStore::Open({dir.File("s.duckdb"), {"x; DROP TABLE y", "python_entries"}, {}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.File("s.duckdb")));
}

}  // namespace
}  // namespace cnake
