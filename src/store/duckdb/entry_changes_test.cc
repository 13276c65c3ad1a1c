// CommitGroup against real DuckDB files, with the results table's statements
// by literal ids (bytewise) and by IN lists: both must leave the same rows
// behind, and entries are updated in place by the fold's join.
#include "store/duckdb/entry_changes.h"

#include <gtest/gtest.h>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/nocase_store.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

using nlohmann::json;

TEST(IdFilterSqlTest, ListsEveryIdAndBoundsThemByByteOrder) {
  auto sql = IdFilterSql("t.id", {"b'x", "a", "\xc3\xa9", "B"});
  ASSERT_TRUE(sql);
  EXPECT_EQ(*sql,
            "list_contains(['b''x', 'a', '\xc3\xa9', 'B'], t.id) AND t.id BETWEEN 'B' AND "
            "'\xc3\xa9'");
}

TEST(IdFilterSqlTest, AnIdWithANulByteCannotBeALiteral) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(IdFilterSql("id", {"a", "b\0c"sv}));
}

// One database per path, seeded and claimed the same way.
class CommitPathTest : public ::testing::Test {
 protected:
  struct Db {
    std::unique_ptr<DuckDbStore> store;
    std::string batch;
  };
  // Seeds `ids` into `store` and claims them for a new batch.
  static Db Claimed(std::unique_ptr<DuckDbStore> store, const std::vector<std::string>& ids) {
    Db db;
    db.store = std::move(store);
    std::vector<EntryInput> in;
    for (const auto& id : ids) in.push_back({id, "cdef int x = 1", {}, {}, {}});
    EXPECT_TRUE(db.store->UpsertEntries(in).ok());
    db.batch = "b-test";
    ClaimOptions claim;
    claim.limit = static_cast<std::int64_t>(ids.size());
    EXPECT_TRUE(db.store->ClaimNewBatch({db.batch, json::object(), {}}, claim).ok());
    return db;
  }
  Db Open(const std::string& name, const std::vector<std::string>& ids) {
    auto s = DuckDbStore::Open({dir_.File(name), {}, {}});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return Claimed(std::move(s).value(), ids);
  }
  static std::string Dump(Db& db, const std::string& sql) {
    auto r = db.store->connection().Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::string out;
    while (auto chunk = r->NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row) {
        out += std::string(chunk->GetString(0, row)) + "\n";
      }
    }
    return out;
  }
  // Rows as text, NULL shown as "-".
  static std::string Rows(Db& db, const std::string& columns, const std::string& rest) {
    std::string fields;
    std::size_t start = 0;
    while (start <= columns.size()) {
      std::size_t end = columns.find(',', start);
      if (end == std::string::npos) end = columns.size();
      if (!fields.empty()) fields += ", ";
      fields += "coalesce(CAST(" + columns.substr(start, end - start) + " AS VARCHAR), '-')";
      start = end + 1;
    }
    return Dump(db, "SELECT concat_ws('|', " + fields + ") " + rest);
  }
  static std::string State(Db& db) {
    return Rows(db,
                "id,processing_status,processed,python_id,attempts,last_error,request_id,"
                "submission_seq,processed_at IS NULL",
                "FROM cython_entries ORDER BY id") +
           Rows(db, "id,cython_id,code", "FROM python_entries ORDER BY id") +
           Rows(db, "entry_id,error_type,error_message",
                "FROM processing_errors ORDER BY entry_id") +
           Rows(db, "processed_entries,successful_entries,failed_entries", "FROM batch_jobs");
  }

  testing::TempDir dir_;
};

TEST_F(CommitPathTest, LiteralAndJoinPathsLeaveTheSameRows) {
  const std::vector<std::string> ids = {"a'1",
                                        "B2",
                                        "c3",
                                        "d4",
                                        "\xc3\xa9"
                                        "5",
                                        "f6"};
  Db literal = Open("literal.duckdb", ids);
  Db join = Open("join.duckdb", ids);
  // An earlier result a foreign tool stored under the entry's id: replaced.
  for (Db* db : {&literal, &join}) {
    ASSERT_TRUE(db->store->connection()
                    .Execute("INSERT INTO python_entries (id, code, cython_id) VALUES "
                             "('foreign', 'old', 'c3')")
                    .ok());
  }
  WriteGroup first;
  for (int i = 0; i < 5; ++i) {
    first.submitted.push_back({ids[i], "req-" + std::to_string(i), 0, 1});
  }
  first.state_changes.push_back(
      {"d4", EntryState::kRetrying, 2, std::string("http_503: down"), true, 1});
  WriteGroup second;
  second.completions.push_back({"a'1", "def f(): return 'x'\n", json{{"k", 1}}, 1});
  second.completions.push_back({"c3", "pass\n", json::object(), 2});
  second.failures.push_back({"B2", "invalid_code", "it's not cython", 422, 1, "req-1", "generate"});
  second.state_changes.push_back(
      {"\xc3\xa9"
       "5",
       EntryState::kProcessing, 1, std::nullopt, false, 0});
  for (const WriteGroup* g : {&first, &second}) {
    ASSERT_TRUE(
        CommitGroup(literal.store->connection(), literal.store->tables(), literal.batch, *g, true)
            .ok());
    ASSERT_TRUE(
        CommitGroup(join.store->connection(), join.store->tables(), join.batch, *g, false).ok());
  }
  const std::string state = State(literal);
  EXPECT_EQ(state, State(join));
  // And the commits did what they say, so equal does not mean equally wrong.
  EXPECT_NE(state.find("a'1|completed|true|py:a'1|1|-|req-0|0|false"), std::string::npos) << state;
  EXPECT_NE(state.find("B2|failed|false|-|1|invalid_code: it's not cython|req-1|0|false"),
            std::string::npos)
      << state;
  EXPECT_NE(state.find("d4|retrying|false|-|2|http_503: down|-|1|true"), std::string::npos)
      << state;
  EXPECT_EQ(state.find("foreign"), std::string::npos) << state;
  EXPECT_NE(state.find("\n3|2|1\n"), std::string::npos) << state;
}

TEST_F(CommitPathTest, AFinalEntryIsNotMovedBackByEitherPath) {
  for (bool bytewise : {true, false}) {
    Db db = Open(bytewise ? "l.duckdb" : "j.duckdb", {"x1", "x2"});
    WriteGroup done;
    done.completions.push_back({"x1", "pass\n", json::object(), 1});
    ASSERT_TRUE(
        CommitGroup(db.store->connection(), db.store->tables(), db.batch, done, bytewise).ok());
    WriteGroup late;  // a late state change for an entry already completed
    late.state_changes.push_back({"x1", EntryState::kRetrying, 2, std::string("late"), false, 0});
    late.completions.push_back({"x2", "pass\n", json::object(), 1});
    ASSERT_TRUE(
        CommitGroup(db.store->connection(), db.store->tables(), db.batch, late, bytewise).ok());
    EXPECT_EQ(Dump(db,
                   "SELECT concat_ws('|', e.id, e.processing_status, b.processed_entries) FROM "
                   "cython_entries e, batch_jobs b ORDER BY e.id"),
              "x1|completed|2\nx2|completed|2\n")
        << "bytewise " << bytewise;
  }
}

// An UPDATE DuckDB runs as delete + insert (as it does with RETURNING) moves
// each row to a new rowid, rewrites the whole row and leaves a delete marker
// in memory per entry for the life of the process.
TEST_F(CommitPathTest, BothPathsUpdateEntriesInPlace) {
  for (bool bytewise : {true, false}) {
    Db db = Open(bytewise ? "l.duckdb" : "j.duckdb", {"p1", "p2", "p3", "p4"});
    const std::string sql = "SELECT id || '@' || rowid FROM cython_entries ORDER BY id";
    const std::string before = Dump(db, sql);
    WriteGroup g;
    g.submitted.push_back({"p1", "req-1", 0, 1});
    g.state_changes.push_back({"p2", EntryState::kRetrying, 2, std::string("http_503"), true, 1});
    g.completions.push_back({"p3", "pass\n", json::object(), 1});
    g.failures.push_back({"p4", "invalid_code", "no", 422, 1, "", "generate"});
    ASSERT_TRUE(
        CommitGroup(db.store->connection(), db.store->tables(), db.batch, g, bytewise).ok());
    EXPECT_EQ(Dump(db, sql), before) << "bytewise " << bytewise;
    EXPECT_EQ(Rows(db, "id,processing_status", "FROM cython_entries ORDER BY id"),
              "p1|submitted\np2|retrying\np3|completed\np4|failed\n")
        << "bytewise " << bytewise;
    EXPECT_EQ(Rows(db, "processed_entries,successful_entries,failed_entries", "FROM batch_jobs"),
              "2|1|1\n")
        << "bytewise " << bytewise;
  }
}

// The literal id filters exist to keep DuckDB from running a hash join per
// commit on the results table (each one leaves buffer handles alive). The
// same ids as an IN list do get one: DuckDB rewrites a constant IN list into
// a join.
TEST_F(CommitPathTest, LiteralIdFiltersRunWithoutAHashJoin) {
  std::vector<std::string> ids;
  for (int i = 0; i < 64; ++i) ids.push_back("h" + std::to_string(i));
  Db db = Open("plan.duckdb", ids);
  std::vector<std::string_view> views(ids.begin(), ids.end());
  auto by_python = IdFilterSql("id", views);
  ASSERT_TRUE(by_python);
  auto plan = [&](const std::string& sql) {  // EXPLAIN's second column is the plan
    auto r = db.store->connection().Query("EXPLAIN " + sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::string out;
    while (auto chunk = r->NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row) out += chunk->GetString(1, row);
    }
    return out;
  };
  const std::string del = plan("DELETE FROM python_entries WHERE " + *by_python);
  ASSERT_NE(del.find("DELETE"), std::string::npos) << del;
  EXPECT_EQ(del.find("HASH_JOIN"), std::string::npos) << del;
  const std::string in_list =
      plan("DELETE FROM python_entries WHERE id IN " + *db::SqlStringList(views));
  EXPECT_NE(in_list.find("HASH_JOIN"), std::string::npos) << in_list;
}

// Even if the literal filters are used where their byte-order bounds miss
// entries (here: ids declared COLLATE NOCASE), every entry is completed and
// counted: the entries table is updated by the fold's join.
TEST_F(CommitPathTest, CollatedIdsTakenForBytewiseStillCompleteEveryEntry) {
  auto s = testing::OpenStoreWithNocaseIds(dir_.File("nocase.duckdb"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Db db = Claimed(std::move(s).value(), {"B", "a", "b2"});
  WriteGroup g;
  for (const char* id : {"B", "a", "b2"}) g.completions.push_back({id, "pass\n", json{}, 1});
  ASSERT_TRUE(CommitGroup(db.store->connection(), testing::kNocaseTables, db.batch, g, true).ok());
  EXPECT_EQ(Rows(db, "id,processing_status", "FROM nocase_entries ORDER BY id"),
            "a|completed\nB|completed\nb2|completed\n");
  EXPECT_EQ(Rows(db, "processed_entries,successful_entries", "FROM batch_jobs"), "3|3\n");
}

TEST_F(CommitPathTest, ACollatedIdColumnIsNotComparedBytewise) {
  Db plain = Open("plain.duckdb", {"a"});
  auto plain_bytewise = IdsCompareBytewise(plain.store->connection(), plain.store->tables());
  ASSERT_TRUE(plain_bytewise.ok());
  EXPECT_TRUE(*plain_bytewise);

  // Under NOCASE, 'b' is not BETWEEN 'B' AND 'a': byte-order bounds would skip it.
  auto s = testing::OpenStoreWithNocaseIds(dir_.File("nocase.duckdb"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto nocase = IdsCompareBytewise((*s)->connection(), (*s)->tables());
  ASSERT_TRUE(nocase.ok());
  EXPECT_FALSE(*nocase);
}

}  // namespace
}  // namespace cnake
