// DuckDbStore: the Store (store/store.h) over one DuckDB database file.
//
// Owns the process's only database handle for that file (a second Open of
// the same path in one process fails: DuckDB's file lock does not protect
// against that, see docs/engine.md) and one connection for the calling
// thread. OpenWork() opens a second connection on the same handle for the
// engine's writer thread. Open() validates the table names before any SQL
// runs, then migrates the schema (unless read-only).
//
// One process per file: the file lock is the lease, so a WorkSession's
// leases never lapse and Renew() has nothing to learn (`cancel` reaches the
// running process through its live control channel instead).
//
// Thread safety: the Store from one thread; each WorkSession from one
// (other) thread.
#pragma once

#include <memory>
#include <string>

#include "store/duckdb/duckdb.h"
#include "store/local_runners.h"
#include "store/store.h"

namespace cnake {

struct StoreOptions {
  std::string path;
  TableNames tables;
  db::OpenOptions open;
  // False: a file that does not exist is kNotFound, not a new database.
  bool create_if_missing = true;
};

class DuckDbQueries;

class DuckDbStore final : public Store {
 public:
  // Errors: kInvalidArgument (table names), kNotFound (no such file and not
  // create_if_missing), kLocked (another process holds the file;
  // LockHolderOf names it), kSchemaMismatch, kReadOnly, kDatabase.
  static Result<std::unique_ptr<DuckDbStore>> Open(const StoreOptions& options);
  ~DuckDbStore() override;

  std::string Describe() const override { return options_.path; }
  bool shared() const override { return false; }
  const TableNames& tables() const override { return options_.tables; }
  const MigrationReport& migration() const override { return migration_; }
  const std::string& path() const { return options_.path; }
  // The database file; empty for an in-memory database.
  std::string FilePath() const;
  // The submission log beside the file (submission_log.h); empty for an
  // in-memory database.
  std::string SubmissionLogPath() const;
  // The calling thread's connection: DuckDB-specific callers and tests.
  db::Connection& connection() { return conn_; }

  Result<std::int64_t> ClaimNewBatch(const NewBatch& batch, const ClaimOptions& options) override;
  Result<ClaimPreview> PreviewClaim(const ClaimOptions& options) override;
  Result<std::optional<BatchRecord>> GetBatch(const std::string& batch_id) override;
  Result<std::optional<nlohmann::json>> GetBatchOptions(const std::string& batch_id) override;
  Status UpdateBatch(const std::string& batch_id, const BatchUpdate& update) override;
  Result<BatchCounts> CountBatch(const std::string& batch_id) override;
  Result<std::vector<BatchWork>> UnfinishedWork(const EntryFilter& filter) override;
  Result<std::unique_ptr<WorkSession>> OpenWork(const std::string& batch_id,
                                                const RunnerInfo& runner) override;
  // This process's sessions that hold leases (store/local_runners.h): while
  // this store has the file open, no other process can run a batch of it.
  Result<std::vector<RunnerStatus>> LiveRunners(const std::string& batch_id) override;
  Result<UpsertCounts> UpsertEntries(const std::vector<EntryInput>& entries) override;
  Status ReadAll(const TransferSink& sink) override;  // transfer.cc
  Status WriteAll(const TransferChunk& chunk) override;
  Queries& queries() override;

  // Limits DuckDB to `n` threads from now on (process and resume run with
  // one: the engine's statements are small; see docs/reliability.md).
  Status SetThreads(int n);

  // --- The design's connector operations (section 5 of the design) ---
  // Pending entries with id > after_id, ordered by id (keyset pagination).
  Result<std::vector<Entry>> GetUnprocessedEntries(std::size_t limit, const std::string& after_id,
                                                   const EntryFilter& filter = {});
  Result<std::optional<Entry>> GetEntryById(const std::string& id);
  Status MarkAsProcessed(const std::string& entry_id, bool success,
                         const std::optional<std::string>& python_id);
  // Stores (or replaces) the single result row of an entry; returns its id.
  Result<std::string> StorePythonCode(const std::string& entry_id, const std::string& python_code,
                                      const nlohmann::json& metadata);

 private:
  DuckDbStore(StoreOptions options, db::Database db, db::Connection conn);
  std::string Entries() const;
  std::string Results() const;

  StoreOptions options_;
  db::Database db_;
  db::Connection conn_;
  MigrationReport migration_;
  std::string registered_path_;
  std::unique_ptr<DuckDbQueries> queries_;
  std::shared_ptr<LocalRunners> runners_;  // shared with the sessions, which may outlive this
};

// The SELECT list that ReadEntryRow() reads, for queries over the entries table.
const char* EntrySelectList();
Entry ReadEntryRow(const db::DataChunk& chunk, std::size_t row);

// The python row id for an entry: one result row per entry, by construction.
std::string PythonIdFor(const std::string& entry_id);
// The same id computed in SQL from the entry's id column (a SQL expression).
std::string PythonIdSql(const std::string& entry_id_column);

}  // namespace cnake
