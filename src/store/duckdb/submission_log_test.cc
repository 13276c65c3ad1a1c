// The submission log against real files and a real DuckDB database: what a
// crash leaves in it reaches the entries at the next open, and only where it
// is newer than what DuckDB committed.
#include "store/duckdb/submission_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/duckdb/duckdb_store.h"
#include "store/duckdb/first_cell.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

class SubmissionLogTest : public ::testing::Test {
 protected:
  std::string DbPath() { return dir_.File("s.duckdb"); }
  std::string LogPath() { return SubmissionLog::PathFor(DbPath()); }
  std::unique_ptr<DuckDbStore> OpenStore() {
    auto s = DuckDbStore::Open({DbPath(), {}, {}});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Seeds e0..e3 and claims them for batch "b".
  void Seed(DuckDbStore& s) {
    std::vector<EntryInput> in;
    for (const char* id : {"e0", "e1", "e2", "e3"}) in.push_back({id, "cdef int x", {}, {}, {}});
    ASSERT_TRUE(s.UpsertEntries(in).ok());
    ClaimOptions claim;
    claim.limit = 4;
    ASSERT_EQ(*s.ClaimNewBatch({"b", nlohmann::json::object(), {}}, claim), 4);
  }
  // "id:state:request_id:seq" of every entry, by id.
  static std::string Entries(DuckDbStore& s) {
    return testing::FirstCell(
        s,
        "SELECT string_agg(concat_ws(':', id, processing_status, coalesce(request_id, '-'), "
        "coalesce(submission_seq, 0)), ' ' ORDER BY id) FROM cython_entries");
  }
  static Submitted Sub(const std::string& id, const std::string& request_id, int seq) {
    return {id, request_id, seq, seq};
  }

  testing::TempDir dir_;
};

TEST_F(SubmissionLogTest, RecordsReadBackUpToATornLine) {
  {
    auto log = SubmissionLog::Open(LogPath());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE(log->Append("b", {Sub("e0", "r-0", 1), Sub("e1", "r-1", 2)}).ok());
    ASSERT_TRUE(log->Append("b2", {Sub("e2", "r-2", 3)}).ok());
  }
  auto all = ReadSubmissionLog(LogPath());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].batch_id, "b");
  EXPECT_EQ((*all)[1].submitted.entry_id, "e1");
  EXPECT_EQ((*all)[1].submitted.request_id, "r-1");
  EXPECT_EQ((*all)[1].submitted.submission_seq, 2);
  EXPECT_EQ((*all)[2].batch_id, "b2");
  // A crash in the middle of the last append: it is not read, nor anything
  // after a line whose hash does not match.
  const auto size = std::filesystem::file_size(LogPath());
  std::filesystem::resize_file(LogPath(), size - 5);
  EXPECT_EQ(ReadSubmissionLog(LogPath())->size(), 2u);
  {
    std::fstream f(LogPath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('x');
  }
  EXPECT_EQ(ReadSubmissionLog(LogPath())->size(), 0u);
  EXPECT_TRUE(ReadSubmissionLog(dir_.File("missing"))->empty());
}

TEST_F(SubmissionLogTest, ClearEmptiesTheFileAndRemoveIfEmptyDeletesIt) {
  auto log = SubmissionLog::Open(LogPath());
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(log->Append("b", {Sub("e0", "r-0", 1)}).ok());
  log->RemoveIfEmpty();  // not empty: stays
  EXPECT_GT(std::filesystem::file_size(LogPath()), 0u);
  ASSERT_TRUE(log->Clear().ok());
  EXPECT_EQ(std::filesystem::file_size(LogPath()), 0u);
  ASSERT_TRUE(log->Append("b", {Sub("e1", "r-1", 1)}).ok());  // appends after the clear
  EXPECT_EQ(ReadSubmissionLog(LogPath())->size(), 1u);
  ASSERT_TRUE(log->Clear().ok());
  log->RemoveIfEmpty();
  EXPECT_FALSE(std::filesystem::exists(LogPath()));
}

// What a crash leaves: the next open applies each record whose entry is in
// its batch, not final, and holds no request_id or an older submission.
TEST_F(SubmissionLogTest, TheNextOpenAppliesOnlyWhatIsNewerThanTheDatabase) {
  {
    auto s = OpenStore();
    Seed(*s);
    auto work = s->OpenWork("b", {"r", "h", 1});
    ASSERT_TRUE(work.ok());
    ASSERT_TRUE((*work)->RecordsSubmissions());
    ASSERT_EQ((*work)->Lease(10)->size(), 4u);
    // Committed: e1 completed, e2 submitted as r-2b (its second submission).
    WriteGroup g;
    g.submitted.push_back(Sub("e2", "r-2b", 2));
    g.completions.push_back({"e1", "pass\n", nlohmann::json::object(), 1});
    ASSERT_TRUE((*work)->Commit(g).ok());
    // Recorded after that commit, never committed.
    ASSERT_TRUE((*work)
                    ->RecordSubmissions({Sub("e0", "r-0", 1), Sub("e1", "r-1", 1),
                                         Sub("e2", "r-2a", 1), Sub("e3", "r-3", 1)})
                    .ok());
    ASSERT_TRUE(s->connection()
                    .Execute("UPDATE cython_entries SET batch_id = 'other' "
                             "WHERE id = 'e3'")
                    .ok());
  }  // a crash: no Release()
  ASSERT_GT(std::filesystem::file_size(LogPath()), 0u);
  auto s = OpenStore();
  ASSERT_NE(s, nullptr);
  // e0 gains its request_id; e1 stays completed; e2 keeps its newer
  // submission; e3 belongs to another batch now.
  EXPECT_EQ(Entries(*s), "e0:submitted:r-0:1 e1:completed:-:0 e2:submitted:r-2b:2 e3:pending:-:0");
  EXPECT_FALSE(std::filesystem::exists(LogPath()));
  EXPECT_EQ(testing::FirstCell(*s, "SELECT count(*)::VARCHAR FROM cnake_journal"), "0");
}

// A commit empties the log: everything recorded before it is in it.
TEST_F(SubmissionLogTest, ACommitEmptiesTheLogAndReleaseRemovesIt) {
  auto s = OpenStore();
  Seed(*s);
  auto work = s->OpenWork("b", {"r", "h", 1});
  ASSERT_TRUE(work.ok());
  ASSERT_EQ((*work)->Lease(10)->size(), 4u);
  ASSERT_TRUE((*work)->RecordSubmissions({Sub("e0", "r-0", 1)}).ok());
  EXPECT_GT(std::filesystem::file_size(LogPath()), 0u);
  WriteGroup g;
  g.submitted.push_back(Sub("e0", "r-0", 1));
  ASSERT_TRUE((*work)->Commit(g).ok());
  EXPECT_EQ(std::filesystem::file_size(LogPath()), 0u);
  ASSERT_TRUE((*work)->Release().ok());
  EXPECT_FALSE(std::filesystem::exists(LogPath()));
  EXPECT_EQ(Entries(*s), "e0:submitted:r-0:1 e1:pending:-:0 e2:pending:-:0 e3:pending:-:0");
}

}  // namespace
}  // namespace cnake
