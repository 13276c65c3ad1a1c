// Store: the client's view of one DuckDB database file.
//
// Owns the process's only database handle for that file (a second Open of
// the same path in one process fails: DuckDB's file lock does not protect
// against that, see shared notes) and one connection. Open() validates the
// table names before any SQL runs, then migrates the schema.
//
// Thread safety: none. Use a Store from one thread; the processing engine
// gives its writer thread its own connection through NewConnection().
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/duckdb.h"
#include "store/schema.h"
#include "util/status.h"

namespace cnake {

struct StoreOptions {
  std::string path;
  TableNames tables;
  db::OpenOptions open;
};

// The entry states of the design (section 4.2).
inline constexpr const char* kEntryStates[] = {"pending",   "submitted", "processing",
                                               "completed", "failed",    "retrying"};

struct Entry {
  std::string id;
  std::string code;
  std::optional<std::string> description;
  std::optional<std::string> metadata_json;
  std::optional<std::string> tags_json;
  std::string processing_status;
  std::optional<std::string> python_id;
  std::optional<std::string> batch_id;
  std::optional<std::string> request_id;
  int attempts = 0;
  int submission_seq = 0;
  std::optional<std::string> last_error;
};

// Selects entries by tag and id prefix; empty fields do not filter.
struct EntryFilter {
  std::string tag;
  std::string id_prefix;
};

struct EntryInput {
  std::string id;
  std::string code;
  std::optional<std::string> description;
  std::vector<std::string> tags;
  std::optional<nlohmann::json> metadata;
};

struct UpsertCounts {
  std::int64_t inserted = 0;
  std::int64_t updated = 0;  // code changed: updated and reset to pending
  std::int64_t unchanged = 0;
  std::vector<std::string> updated_ids;  // at most kMaxListedIds
};

struct BatchSummary {
  std::string id;
  std::string status;
  std::int64_t total = 0, processed = 0, successful = 0, failed = 0;
  std::string started_at, completed_at;  // ISO text, empty when NULL
  // Summed over the runs that reached their end; nullopt when none has (or
  // not read: Statistics::recent_batches leaves them unset).
  std::optional<double> retry_after_wait_seconds, breaker_open_seconds;
};

struct Statistics {
  std::int64_t total_entries = 0;
  std::map<std::string, std::int64_t> by_status;  // every design state, zero included
  std::int64_t python_entries = 0;
  std::int64_t errors = 0;
  std::int64_t batches = 0;
  std::vector<BatchSummary> recent_batches;  // newest first, at most 20
};

struct BatchUpdate {
  std::optional<std::string> status;
  std::optional<std::int64_t> processed, successful, failed, total;
  bool set_completed_at = false;
  std::optional<std::string> stop_reason;
  // This run's waits, added to the batch's totals (a run that never reaches
  // its end, such as after kill -9, adds nothing).
  std::optional<double> add_retry_after_wait_seconds, add_breaker_open_seconds;
};

class Store {
 public:
  static constexpr std::size_t kMaxListedIds = 50;

  // Errors: kInvalidArgument (table names), kLocked (another process holds the
  // file; see LockedMessage), kSchemaMismatch, kDatabase.
  static Result<Store> Open(const StoreOptions& options);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) = delete;
  ~Store();

  const TableNames& tables() const { return options_.tables; }
  const std::string& path() const { return options_.path; }
  const MigrationReport& migration() const { return migration_; }
  db::Connection& connection() { return conn_; }
  Result<db::Connection> NewConnection() const { return db::Connection::Open(db_); }

  // --- The design's connector operations ---
  // Pending entries with id > after_id, ordered by id (keyset pagination).
  Result<std::vector<Entry>> GetUnprocessedEntries(std::size_t limit, const std::string& after_id,
                                                   const EntryFilter& filter = {});
  Result<std::optional<Entry>> GetEntryById(const std::string& id);
  Status MarkAsProcessed(const std::string& entry_id, bool success,
                         const std::optional<std::string>& python_id);
  // Stores (or replaces) the single result row of an entry; returns its id.
  Result<std::string> StorePythonCode(const std::string& entry_id, const std::string& python_code,
                                      const nlohmann::json& metadata);
  Result<Statistics> GetStatistics();
  Result<std::string> CreateBatchRecord(std::int64_t batch_size, const nlohmann::json& options);
  Status UpdateBatchStatus(const std::string& batch_id, const BatchUpdate& update);
  Result<std::optional<BatchSummary>> GetBatch(const std::string& batch_id);

  // --- import ---
  // Inserts new entries, updates those whose code changed (reset to pending),
  // leaves the rest. Atomic per call.
  Result<UpsertCounts> UpsertEntries(const std::vector<EntryInput>& entries);

 private:
  Store(StoreOptions options, db::Database db, db::Connection conn);
  std::string Entries() const;
  std::string Results() const;

  StoreOptions options_;
  db::Database db_;
  db::Connection conn_;
  MigrationReport migration_;
  std::string registered_path_;
};

// The SELECT list that ReadEntryRow() reads, for queries over the entries table.
const char* EntrySelectList();
Entry ReadEntryRow(const db::DataChunk& chunk, std::size_t row);

// The python row id for an entry: one result row per entry, by construction.
std::string PythonIdFor(const std::string& entry_id);
// The same id computed in SQL from the entry's id column (a SQL expression).
std::string PythonIdSql(const std::string& entry_id_column);

// A user-facing explanation of a kLocked status: who holds the file and what
// to do.
std::string LockedMessage(const std::string& db_path, const Status& status);

}  // namespace cnake
