// The journal against real DuckDB files: the batch counters move with the
// entries table when the journal is folded, at Counts(), at Release() or at
// the replay after a crash, and exactly once.
#include "store/duckdb/journal.h"

#include <gtest/gtest.h>

#include "store/duckdb/duckdb_store.h"
#include "store/duckdb/first_cell.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<DuckDbStore> OpenStore() {
    auto s = DuckDbStore::Open({dir_.File("j.duckdb"), {}, {}});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Seeds e0..e3, claims them for batch "b" and opens a session holding them.
  std::unique_ptr<WorkSession> Start(DuckDbStore& s) {
    std::vector<EntryInput> in;
    for (const char* id : {"e0", "e1", "e2", "e3"}) in.push_back({id, "cdef int x", {}, {}, {}});
    EXPECT_TRUE(s.UpsertEntries(in).ok());
    ClaimOptions claim;
    claim.limit = 4;
    EXPECT_EQ(*s.ClaimNewBatch({"b", nlohmann::json::object(), {}}, claim), 4);
    auto work = s.OpenWork("b", {"r", "h", 1});
    EXPECT_TRUE(work.ok()) << work.status().ToString();
    EXPECT_EQ((*work)->Lease(10)->size(), 4u);
    return std::move(work).value();
  }
  // Two completions and a failure.
  static WriteGroup Finishing() {
    WriteGroup g;
    g.completions.push_back({"e0", "pass\n", nlohmann::json::object(), 1});
    g.completions.push_back({"e1", "pass\n", nlohmann::json::object(), 1});
    g.failures.push_back({"e2", "http_422", "no", 422, 1, "", "generate"});
    return g;
  }
  // The counters, then a recount of the entries table, as "p/s/f p/s/f".
  static std::string CountersAndRecount(DuckDbStore& s) {
    return testing::FirstCell(
        s,
        "SELECT concat_ws('/', processed_entries, successful_entries, failed_entries) || "
        "' ' || (SELECT concat_ws('/', count(*) FILTER (WHERE processing_status IN "
        "('completed', 'failed')), count(*) FILTER (WHERE processing_status = "
        "'completed'), count(*) FILTER (WHERE processing_status = 'failed')) "
        "FROM cython_entries WHERE batch_id = 'b') FROM batch_jobs WHERE id = 'b'");
  }

  testing::TempDir dir_;
};

TEST_F(JournalTest, CountersMoveWithTheEntriesTableNotBeforeIt) {
  auto s = OpenStore();
  auto work = Start(*s);
  ASSERT_TRUE(work->Commit(Finishing()).ok());
  EXPECT_EQ(testing::FirstCell(*s, "SELECT count(*)::VARCHAR FROM cnake_journal"), "3");
  EXPECT_EQ(CountersAndRecount(*s), "0/0/0 0/0/0") << "the counters ran ahead of the entries";
  auto counts = work->Counts();  // folds
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->completed, 2);
  EXPECT_EQ(CountersAndRecount(*s), "3/2/1 3/2/1");
  EXPECT_EQ(testing::FirstCell(*s, "SELECT count(*)::VARCHAR FROM cnake_journal"), "0");
  // A late completion of a final entry moves nothing.
  WriteGroup late;
  late.completions.push_back({"e2", "pass\n", nlohmann::json::object(), 1});
  late.completions.push_back({"e3", "pass\n", nlohmann::json::object(), 1});
  ASSERT_TRUE(work->Commit(late).ok());
  ASSERT_TRUE(work->Release().ok());
  EXPECT_EQ(CountersAndRecount(*s), "4/3/1 4/3/1");
}

// A session that ends without folding (kill -9) leaves its journal; the next
// open folds it and moves the counters once, and a further open finds
// nothing left to move.
TEST_F(JournalTest, TheReplayAfterACrashMovesTheCountersOnce) {
  {
    auto s = OpenStore();
    auto work = Start(*s);
    ASSERT_TRUE(work->Commit(Finishing()).ok());
  }  // neither Release() nor Counts(): the journal stays
  for (int open = 0; open < 2; ++open) {
    auto s = OpenStore();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(CountersAndRecount(*s), "3/2/1 3/2/1") << "open " << open;
    EXPECT_EQ(testing::FirstCell(*s, "SELECT count(*)::VARCHAR FROM cnake_journal"), "0");
  }
}

// Schema version 2 moved the counters at commit and wrote no
// moves_counters: a journal it left behind is folded without counting its
// entries a second time.
TEST_F(JournalTest, AVersionTwoJournalIsFoldedWithoutCountingItsEntriesAgain) {
  {
    auto s = OpenStore();
    auto work = Start(*s);
    ASSERT_TRUE(work->Commit(Finishing()).ok());
    ASSERT_TRUE(s->connection()
                    .Execute("UPDATE cnake_journal SET moves_counters = NULL; "
                             "UPDATE batch_jobs SET processed_entries = 3, successful_entries = 2, "
                             "failed_entries = 1; UPDATE cnake_meta SET value = '2' "
                             "WHERE key = 'schema_version'")
                    .ok());
  }
  auto s = OpenStore();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->migration().from_version, 2);
  EXPECT_EQ(CountersAndRecount(*s), "3/2/1 3/2/1");
  EXPECT_EQ(testing::FirstCell(*s, "SELECT count(*)::VARCHAR FROM cnake_journal"), "0");
}

}  // namespace
}  // namespace cnake
