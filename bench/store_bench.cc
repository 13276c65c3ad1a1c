// store_bench: the store-side figures of docs/benchmarks.md.
//
//   store_bench make-db PATH N CODE_FILE [--processed]
//       Creates (or extends) a database with the client's schema and N entries
//       e0000000.. whose code is CODE_FILE plus a unique first line, written by
//       one INSERT ... SELECT FROM range(N). With --processed the entries
//       belong to one completed batch (99% completed with a python row, 1%
//       failed with an error row, one api_requests row each), as after a run.
//       Prints the batch id (or "-").
//   store_bench writer ENTRIES ROWS GROUP CODE_FILE
//       Results written per second through engine::CommitGroup (Completion
//       rows, GROUP per transaction, ROWS in all, on a table of ENTRIES
//       entries), against a bare DuckDB appender loop inserting the same
//       python rows with the same grouping into an identical database, and
//       against one that also appends a journal row per result.
//   store_bench session PATH GROUP
//       What a run at zero job latency asks of the store, on the database at
//       PATH (changed in place: pass a copy): claim every unprocessed entry,
//       open a work session, lease in the engine's pages of 512, then commit
//       groups as the engine does (GROUP submissions with their request logs,
//       plus the completions and result requests of the previous GROUP), and
//       release. Prints the process's CPU ms per entry for each phase.
//   store_bench queries PATH BATCH_ID REPEAT
//       In-process times of what `stats` and `status` run (Store::Open,
//       GetStatistics, the status queries) against the bare SQL they need.
//   store_bench bare PATH SQL...
//       Opens PATH with the DuckDB C API only (same settings as the client)
//       and runs each SQL once: the floor for the CLI's wall time.
//
// Output: one "key: value" line per figure, for bench/run.sh to parse.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <functional>
#include <vector>

#include "engine/snapshot.h"
#include "store/duckdb/batch_sql.h"
#include "store/duckdb/journal.h"
#include "store/request_summary.h"
#include "store/duckdb/duckdb_store.h"

namespace cnake::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[noreturn]] void Die(const Status& st, const char* what) {
  std::fprintf(stderr, "store_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const char* what) {
  if (!r.ok()) Die(r.status(), what);
  return std::move(r).value();
}

void Check(const Status& st, const char* what) {
  if (!st.ok()) Die(st, what);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "store_bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `setup_memory_limit` is for building databases, not for measuring: one
// INSERT of 1,000,000 entries (about 1 GB of code) does not fit the client's
// default memory_limit, while the client itself imports in chunks.
using StorePtr = std::unique_ptr<DuckDbStore>;

StorePtr OpenStore(const std::string& path, const std::string& setup_memory_limit = "") {
  StoreOptions options;
  options.path = path;
  if (!setup_memory_limit.empty()) options.open.memory_limit = setup_memory_limit;
  return Check(DuckDbStore::Open(options), "open");
}

// A new batch record claiming `rows` entries; returns its id.
std::string ClaimBatch(DuckDbStore& store, std::int64_t rows) {
  static int n = 0;
  const std::string batch = fmt::format("b-bench-{}", ++n);
  ClaimOptions claim;
  claim.limit = rows;
  const std::int64_t claimed =
      Check(store.ClaimNewBatch({batch, nlohmann::json::object(), std::chrono::system_clock::now()},
                                claim),
            "claim");
  if (claimed != rows) {
    std::fprintf(stderr, "store_bench: claimed %lld of %lld\n", static_cast<long long>(claimed),
                 static_cast<long long>(rows));
    std::exit(1);
  }
  return batch;
}

// N entries in one statement; ids continue after the existing ones.
void InsertEntries(DuckDbStore& store, std::int64_t n, const std::string& code) {
  db::Connection& conn = store.connection();
  auto existing = Check(conn.Query(fmt::format("SELECT count(*) FROM {}",
                                               db::QuoteIdentifier(store.tables().entries))),
                        "count");
  const std::int64_t first = existing.NextChunk()->GetInt64(0, 0);
  auto n_inserted = Check(
      conn.RunWith(fmt::format("INSERT INTO {} (id, code, description, tags) "
                               "SELECT printf('e%07d', i), '# bench entry ' || i || chr(10) || ?, "
                               "'benchmark entry', '[\"bench\"]' FROM range(?, ?) t(i)",
                               db::QuoteIdentifier(store.tables().entries)),
                   code, first, first + n),
      "insert entries");
  (void)n_inserted;
}

// Marks every entry as processed by one finished batch, as a run would leave it.
std::string MarkProcessed(DuckDbStore& store, const std::string& code) {
  // The batch that processed everything; the steps below set its counters.
  // (Not ClaimBatch: a claim that finds nothing creates no batch.)
  const std::string batch = "b-bench-processed";
  db::Connection& conn = store.connection();
  Check(conn.ExecuteWith("INSERT INTO batch_jobs (id, total_entries, status, started_at) "
                         "VALUES (?, 0, 'running', now())",
                         batch),
        "batch record");
  const std::string entries = db::QuoteIdentifier(store.tables().entries);
  const std::string results = db::QuoteIdentifier(store.tables().results);
  const std::vector<std::string> steps = {
      fmt::format("UPDATE {} SET batch_id = ?1, request_id = 'req-' || id, attempts = 1, "
                  "processing_status = CASE WHEN hash(id) % 100 = 0 THEN 'failed' ELSE "
                  "'completed' END, processed = hash(id) % 100 <> 0, processed_at = now(), "
                  "updated_at = now(), python_id = CASE WHEN hash(id) % 100 = 0 THEN NULL ELSE "
                  "'py:' || id END WHERE ?1 <> ''",
                  entries),
      fmt::format("INSERT INTO {} (id, code, cython_id, metadata) SELECT python_id, "
                  "'# bench' || chr(10) || ?2, id, json_object('request_id', request_id, "
                  "'attempts', 1, 'batch_id', ?1) FROM {} WHERE batch_id = ?1 AND "
                  "processing_status = 'completed'",
                  results, entries),
      fmt::format("INSERT INTO processing_errors (id, entry_id, batch_id, error_message, "
                  "error_type, http_status, attempt, request_id, endpoint) SELECT "
                  "CAST(gen_random_uuid() AS VARCHAR), id, ?1, 'the API reported the job failed "
                  "', 'job_failed', 200, 1, request_id, 'results' FROM {} WHERE "
                  "batch_id = ?1 AND processing_status = 'failed'",
                  entries),
      fmt::format("INSERT INTO api_requests "
                  "(batch_id, entry_id, attempt, endpoint, http_status, latency_ms, error_type, "
                  "occurred_at) SELECT ?1, id, 1, 'generate', 200, "
                  "5 + (hash(id) % 1000) / 100.0, NULL, now() FROM {} WHERE batch_id = ?1",
                  entries),
      fmt::format("UPDATE batch_jobs SET "
                  "total_entries = c.n, processed_entries = c.n, successful_entries = c.ok, "
                  "failed_entries = c.n - c.ok FROM (SELECT count(*) AS n, count(*) FILTER "
                  "(WHERE processing_status = 'completed') AS ok FROM {} WHERE batch_id = ?1) "
                  "c WHERE batch_jobs.id = ?1",
                  entries),
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    // Only the python rows take the code as a second parameter.
    auto n = Check(i == 1 ? conn.RunWith(steps[i], batch, code) : conn.RunWith(steps[i], batch),
                   "mark processed");
    (void)n;
  }
  // Completed as the engine completes a batch (engine/batch_lifecycle.cc,
  // Finish): with the summary of its request log.
  BatchUpdate done;
  done.status = BatchStatus::kCompleted;
  done.completed_at = std::chrono::system_clock::now();
  done.request_summary = RequestSummaryJson(
      Check(SummarizeRequests(store.queries(), batch, engine::LatencyHistogram::BoundsList()),
            "summary"));
  Check(store.UpdateBatch(batch, done), "complete");
  return batch;
}

int MakeDb(const std::string& path, std::int64_t n, const std::string& code_file, bool processed) {
  const std::string code = ReadFile(code_file);
  StorePtr store = OpenStore(path, "4GB");
  const auto t0 = Clock::now();
  InsertEntries(*store, n, code);
  std::string batch = processed ? MarkProcessed(*store, code) : "-";
  Check(store->connection().Execute("FORCE CHECKPOINT"), "checkpoint");
  std::printf("batch: %s\nmake_db_seconds: %.3f\n", batch.c_str(), SecondsSince(t0));
  return 0;
}

// What the engine stores for one completed job (engine_responses.cc, Complete).
nlohmann::json ResultMetadata(const std::string& batch, std::int64_t i) {
  return {{"request_id", fmt::format("5282238b-3d82-40f5-82b6-{:012d}", i)},
          {"attempts", 1},
          {"latency_ms", 1.25},
          {"batch_id", batch},
          {"build_results", nullptr},
          {"analysis_results",
           {{"translator", "cnake_translate"},
            {"untranslated_count", 0},
            {"untranslated_lines", nlohmann::json::array()},
            {"notes", {"cdef function -> def", "cpdef function -> def"}},
            {"optimization_level", 1},
            {"analysis_types", nullptr}}},
          {"equivalency_result", nullptr}};
}

// A fresh database of `entries` entries with `rows` of them claimed by a batch.
std::pair<StorePtr, std::string> FreshClaimedDb(const std::string& path, std::int64_t entries,
                                                std::int64_t rows, const std::string& code) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".wal");
  StorePtr store = OpenStore(path);
  InsertEntries(*store, entries, code);
  const std::string batch = ClaimBatch(*store, rows);
  Check(store->connection().Execute("FORCE CHECKPOINT"), "checkpoint");
  return {std::move(store), batch};
}

// The floor: a bare appender loop writing the python rows, GROUP per
// transaction. With `journal`, each transaction also appends one journal row
// per result (journal.h's AppendJournal, as a completion's commit does):
// the least DuckDB work that makes both the results and the entries' new
// states durable in one commit.
double BareAppenderSeconds(const std::filesystem::path& path, std::int64_t entries,
                           std::int64_t rows, std::int64_t group, const std::string& code,
                           bool journal) {
  const std::string python = "# bench\n" + code;
  auto [store, batch] = FreshClaimedDb(path.string(), entries, rows, code);
  db::Connection& conn = store->connection();
  std::int64_t seq = 1;
  const auto t0 = Clock::now();
  for (std::int64_t i = 0; i < rows;) {
    auto txn = Check(db::Transaction::Begin(conn), "begin");
    auto app = Check(db::Appender::Create(conn, store->tables().results), "appender");
    std::vector<EntryChange> changes;
    for (std::int64_t k = 0; k < group && i < rows; ++k, ++i) {
      const std::string id = fmt::format("e{:07d}", i);
      Check(app.Append(PythonIdFor(id)), "append");
      Check(app.Append(python), "append");
      Check(app.Append(id), "append");
      Check(app.Append(ResultMetadata(batch, i).dump()), "append");
      Check(app.Append(SystemTimePoint(std::chrono::system_clock::now().time_since_epoch())),
            "append");
      Check(app.EndRow(), "append");
      if (journal) {
        EntryChange& e = changes.emplace_back();
        e.entry_id = id;
        e.kind = ChangeKind::kCompleted;
        e.attempts = 1;
      }
    }
    Check(AppendJournal(conn, batch, changes, seq), "journal");
    seq += static_cast<std::int64_t>(changes.size());
    Check(app.Close(), "appender close");
    Check(txn.Commit(), "commit");
  }
  return SecondsSince(t0);
}

int Writer(std::int64_t entries, std::int64_t rows, std::int64_t group,
           const std::string& code_file) {
  const std::string code = ReadFile(code_file);
  const std::string python = "# bench\n" + code;  // about the size of a translation
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("cnake-store-bench-{}", static_cast<long>(::getpid()));
  std::filesystem::create_directories(dir);

  // Both commit paths (entry_changes.h): by literal ids, what the engine uses,
  // and by join with the staged group, its fallback. The malloc heap's growth
  // over the run shows what DuckDB keeps per commit.
  struct EnginePath {
    bool bytewise_ids;
    const char* name;
    double seconds = 0;
    double heap_growth_mb = 0;
  };
  EnginePath paths[] = {{true, "literal"}, {false, "join"}};
  for (EnginePath& path : paths) {
    auto [store, batch] =
        FreshClaimedDb((dir / fmt::format("{}.duckdb", path.name)).string(), entries, rows, code);
    const std::size_t heap_before = ::mallinfo2().uordblks;
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < rows;) {
      WriteGroup g;
      for (std::int64_t k = 0; k < group && i < rows; ++k, ++i) {
        g.completions.push_back({fmt::format("e{:07d}", i), python, ResultMetadata(batch, i), 1});
      }
      Check(CommitGroup(store->connection(), store->tables(), batch, g, path.bytewise_ids),
            "commit group");
    }
    path.seconds = SecondsSince(t0);
    path.heap_growth_mb =
        (static_cast<double>(::mallinfo2().uordblks) - static_cast<double>(heap_before)) / 1e6;
    auto counts = Check(CountBatchSql(store->connection(), store->tables(), batch), "count");
    if (counts.completed != rows) {
      std::fprintf(stderr, "store_bench: %lld completed, want %lld\n",
                   static_cast<long long>(counts.completed), static_cast<long long>(rows));
      return 1;
    }
  }
  // The engine's writer: a work session's Commit (journal, results, request
  // log, counters; folded every few thousand entries) and the final fold.
  double session_s = 0;
  {
    auto [store, batch] = FreshClaimedDb((dir / "session.duckdb").string(), entries, rows, code);
    auto work = Check(store->OpenWork(batch, {"bench", "localhost", ::getpid()}), "open work");
    while (!Check(work->Lease(4096), "lease").empty()) {
    }
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < rows;) {
      WriteGroup g;
      for (std::int64_t k = 0; k < group && i < rows; ++k, ++i) {
        g.completions.push_back({fmt::format("e{:07d}", i), python, ResultMetadata(batch, i), 1});
      }
      Check(work->Commit(g), "session commit");
    }
    Check(work->Release(), "release");
    session_s = SecondsSince(t0);
    auto counts = Check(store->CountBatch(batch), "count");
    if (counts.completed != rows) {
      std::fprintf(stderr, "store_bench: session: %lld completed, want %lld\n",
                   static_cast<long long>(counts.completed), static_cast<long long>(rows));
      return 1;
    }
  }
  const double engine_s = paths[0].seconds;
  const double bare_s = BareAppenderSeconds(dir / "bare.duckdb", entries, rows, group, code, false);
  const double bare_journal_s =
      BareAppenderSeconds(dir / "bare-journal.duckdb", entries, rows, group, code, true);
  std::filesystem::remove_all(dir);
  const double engine_rate = static_cast<double>(rows) / engine_s;
  const double bare_rate = static_cast<double>(rows) / bare_s;
  std::printf("writer_entries: %lld\nwriter_rows: %lld\nwriter_group: %lld\n",
              static_cast<long long>(entries), static_cast<long long>(rows),
              static_cast<long long>(group));
  std::printf("commit_group_rows_per_s: %.0f\nbare_appender_rows_per_s: %.0f\nwriter_ratio: %.3f\n",
              engine_rate, bare_rate, engine_rate / bare_rate);
  std::printf("commit_group_join_rows_per_s: %.0f\n", static_cast<double>(rows) / paths[1].seconds);
  const double session_rate = static_cast<double>(rows) / session_s;
  std::printf("session_rows_per_s: %.0f\nsession_writer_ratio: %.3f\n", session_rate,
              session_rate / bare_rate);
  const double bare_journal_rate = static_cast<double>(rows) / bare_journal_s;
  std::printf("bare_journal_rows_per_s: %.0f\nsession_vs_bare_journal_ratio: %.3f\n",
              bare_journal_rate, session_rate / bare_journal_rate);
  std::printf("commit_heap_growth_mb_literal: %.1f\ncommit_heap_growth_mb_join: %.1f\n",
              paths[0].heap_growth_mb, paths[1].heap_growth_mb);
  return 0;
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// One engine commit: submissions of `next`, completions of `done`.
WriteGroup EngineGroup(const std::vector<Entry>& next, const std::vector<Entry>& done,
                       const std::string& batch, const std::string& python,
                       std::int64_t& seq) {
  WriteGroup g;
  const SystemTimePoint now = std::chrono::system_clock::now();
  for (const Entry& e : next) {
    g.submitted.push_back({e.id, fmt::format("5282238b-3d82-40f5-82b6-{:012d}", seq), 1, 1});
    g.requests.push_back({e.id, 1, "generate", 202, 0.3, "", now});
    ++seq;
  }
  for (std::size_t i = 0; i < done.size(); ++i) {
    g.completions.push_back({done[i].id, python, ResultMetadata(batch, seq), 1});
    g.requests.push_back({done[i].id, 1, "results", 200, 0.4, "", now});
  }
  return g;
}

int Session(const std::string& path, std::size_t group) {
  const std::string python = "def f(x):\n    return x * 2\n\n\nprint(f(21))\n";
  const double c0 = CpuSeconds();
  StorePtr store = OpenStore(path);
  const std::string batch = fmt::format("b-bench-session-{}", static_cast<long>(::getpid()));
  ClaimOptions claim;
  claim.limit = std::numeric_limits<std::int64_t>::max();
  const std::int64_t claimed = Check(
      store->ClaimNewBatch({batch, nlohmann::json::object(), std::chrono::system_clock::now()},
                           claim),
      "claim");
  const double c1 = CpuSeconds();
  auto work = Check(store->OpenWork(batch, {"bench", "localhost", ::getpid()}), "open work");
  std::vector<Entry> leased;
  double lease_cpu = 0, commit_cpu = 0;
  auto lease_more = [&] {
    const double t = CpuSeconds();
    auto page = Check(work->Lease(512), "lease");
    lease_cpu += CpuSeconds() - t;
    for (Entry& e : page) leased.push_back(std::move(e));
    return !page.empty();
  };
  std::int64_t seq = 0, commits = 0;
  std::size_t next = 0;
  std::vector<Entry> in_flight;
  const auto t0 = Clock::now();
  while (true) {
    if (next + group > leased.size()) lease_more();
    std::vector<Entry> batch_next(leased.begin() + static_cast<std::ptrdiff_t>(next),
                                  leased.begin() + static_cast<std::ptrdiff_t>(
                                                       std::min(leased.size(), next + group)));
    next += batch_next.size();
    if (batch_next.empty() && in_flight.empty()) break;
    const double t = CpuSeconds();
    Check(work->Commit(EngineGroup(batch_next, in_flight, batch, python, seq)), "commit");
    commit_cpu += CpuSeconds() - t;
    ++commits;
    in_flight = std::move(batch_next);
  }
  const double c2 = CpuSeconds();
  Check(work->Release(), "release");
  const double release_cpu = CpuSeconds() - c2;
  const double wall = SecondsSince(t0);
  auto counts = Check(store->CountBatch(batch), "count");
  if (counts.completed != claimed) {
    std::fprintf(stderr, "store_bench: %lld completed of %lld\n",
                 static_cast<long long>(counts.completed), static_cast<long long>(claimed));
    return 1;
  }
  const double n = static_cast<double>(claimed);
  std::printf("session_entries: %lld\nsession_group: %zu\nsession_commits: %lld\n",
              static_cast<long long>(claimed), group, static_cast<long long>(commits));
  std::printf("session_open_claim_cpu_ms_per_entry: %.4f\n", (c1 - c0) * 1e3 / n);
  std::printf("session_lease_cpu_ms_per_entry: %.4f\n", lease_cpu * 1e3 / n);
  std::printf("session_commit_cpu_ms_per_entry: %.4f\n", commit_cpu * 1e3 / n);
  std::printf("session_commit_cpu_ms_per_commit: %.3f\n", commit_cpu * 1e3 / commits);
  std::printf("session_release_cpu_ms_per_entry: %.4f\n", release_cpu * 1e3 / n);
  std::printf("session_total_cpu_ms_per_entry: %.4f\n", (CpuSeconds() - c0) * 1e3 / n);
  std::printf("session_wall_s: %.3f\n", wall);
  return 0;
}

// Runs `sql` and reads every row, as a caller would.
void Drain(db::Connection& conn, const std::string& sql) {
  auto r = Check(conn.Query(sql), "query");
  while (auto chunk = r.NextChunk()) {
  }
}

template <typename F>
double BestOf(int repeat, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, SecondsSince(t0));
  }
  return best;
}

int Queries(const std::string& path, const std::string& batch, int repeat) {
  const auto t0 = Clock::now();
  StorePtr store = OpenStore(path);
  const double open_s = SecondsSince(t0);
  db::Connection& conn = store->connection();
  const std::string entries = db::QuoteIdentifier(store->tables().entries);
  const std::string b = "'" + batch + "'";  // batch ids are b-<date>-<hex>: no quoting needed
  const double stats_s =
      BestOf(repeat, [&] { (void)Check(store->queries().GetStatistics(), "stats"); });
  const double bare_stats_s = BestOf(repeat, [&] {
    Drain(conn, fmt::format("SELECT processing_status, count(*) FROM {} GROUP BY ALL", entries));
  });
  const double count_s =
      BestOf(repeat, [&] { (void)Check(store->CountBatch(batch), "count batch"); });
  const double bare_count_s = BestOf(repeat, [&] {
    Drain(conn, fmt::format("SELECT processing_status, count(*) FROM {} WHERE batch_id = {} "
                            "GROUP BY ALL",
                            entries, b));
  });
  std::printf(
      "open_s: %.4f\nstats_s: %.4f\nbare_stats_s: %.4f\ncount_batch_s: %.4f\n"
      "bare_count_batch_s: %.4f\n",
      open_s, stats_s, bare_stats_s, count_s, bare_count_s);
  // What `status --batch-id` reads besides the counts, piece by piece.
  const ReportScope scope{batch};
  auto& q = store->queries();
  const auto piece = [&](const char* name, const std::function<void()>& read) {
    std::printf("status_%s_s: %.4f\n", name, BestOf(repeat, read));
  };
  piece("batches", [&] { (void)Check(q.ReportBatches(scope), "batches"); });
  piece("entry_states", [&] { (void)Check(q.EntryStates(scope), "entry states"); });
  piece("latency",
        [&] { (void)Check(q.Latency(scope, engine::LatencyHistogram::BoundsList()), "latency"); });
  // Bounds the stored summary was not counted over: the request log's rows.
  piece("latency_from_rows", [&] { (void)Check(q.Latency(scope, {}), "latency"); });
  piece("tokens", [&] { (void)Check(q.TokenTotals(batch), "tokens"); });
  piece("recent_errors", [&] { (void)Check(q.RecentErrors(batch, 5), "errors"); });
  return 0;
}

// Prints "value: X" with the first column of the last query's first row
// when it is a VARCHAR (cast in SQL to get a figure out).
int Bare(const std::string& path, const std::vector<std::string>& sqls) {
  const auto t0 = Clock::now();
  db::OpenOptions options;  // the client's settings
  auto db = Check(db::Database::Open(path, options), "open");
  auto conn = Check(db::Connection::Open(db), "connect");
  std::optional<std::string> value;
  for (std::size_t i = 0; i < sqls.size(); ++i) {
    auto r = Check(conn.Query(sqls[i]), "query");
    const bool last = i + 1 == sqls.size();  // only its first column must be a VARCHAR
    while (auto chunk = r.NextChunk()) {
      if (last && !value && chunk->size() > 0) value = chunk->GetOptString(0, 0);
    }
  }
  std::printf("bare_seconds: %.4f\n", SecondsSince(t0));
  if (value) std::printf("value: %s\n", value->c_str());
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: store_bench make-db PATH N CODE_FILE [--processed]\n"
               "       store_bench writer ENTRIES ROWS GROUP CODE_FILE\n"
               "       store_bench session PATH GROUP\n"
               "       store_bench queries PATH BATCH_ID REPEAT\n"
               "       store_bench bare PATH SQL...\n");
  return 2;
}

}  // namespace
}  // namespace cnake::bench

int main(int argc, char** argv) {
  using namespace cnake::bench;
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty()) return Usage();
  if (a[0] == "make-db" && (a.size() == 4 || (a.size() == 5 && a[4] == "--processed"))) {
    return MakeDb(a[1], std::stoll(a[2]), a[3], a.size() == 5);
  }
  if (a[0] == "writer" && a.size() == 5) {
    return Writer(std::stoll(a[1]), std::stoll(a[2]), std::stoll(a[3]), a[4]);
  }
  if (a[0] == "session" && a.size() == 3) return Session(a[1], std::stoul(a[2]));
  if (a[0] == "queries" && a.size() == 4) return Queries(a[1], a[2], std::stoi(a[3]));
  if (a[0] == "bare" && a.size() >= 3) return Bare(a[1], {a.begin() + 2, a.end()});
  return Usage();
}
