// The storage seam: everything the engine and the batch lifecycle need from
// the database, whichever database it is.
//
// Two interfaces:
// - Store: one database, used by one thread at a time (the command's main
//   thread). Batch records, claims, counts, and the typed reads behind
//   status, stats, reports and export (store/queries.h).
// - WorkSession: one runner's work on one batch, with its own connection,
//   for the engine's writer thread. It leases entries, commits groups of
//   changes and keeps its leases alive.
//
// Work is leased, not just read: a runner holds the entries it leased until
// they are final, its lease lapses (it stopped renewing: crashed, lost, cut
// off) or it releases them. With an embedded single-process database (DuckDB)
// the file lock is the lease: one runner per file, leases never lapse. With a
// shared database (PostgreSQL) several runners lease chunks of one batch and
// take over the entries of runners whose leases lapsed.
//
// Durability rules every implementation keeps (docs/engine.md):
// - An entry belongs to at most one batch (batch_id), set when claimed.
// - Commit() is atomic: on error nothing of the group is stored.
// - A committed request_id is the job the entry waits for; while the entry is
//   not final it is polled, never submitted again.
// - A result (python row, entry update) commits together with the batch
//   counters, which move by exactly the entries the group made final, so they
//   always equal a recount of the entries' states.
// - Only unfinished entries change: a final entry is never moved back.
//
// Errors: kDatabase, and the codes of store/errors.h (kLocked, kOutOfMemory,
// kReadOnly, kDiskFull, kSchemaMismatch) where the database says so.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/queries.h"
#include "store/transfer.h"
#include "store/types.h"
#include "util/status.h"

namespace cnake {

// Who works on a batch (leases carry it; status lists live runners).
struct RunnerInfo {
  std::string id;  // unique per run
  std::string host;
  long pid = 0;
};

// A live runner of a batch, as `status` lists it.
struct RunnerStatus {
  RunnerInfo runner;
  std::string started_at, heartbeat_at;  // ISO 8601 UTC
  std::int64_t leased = 0;               // unfinished entries it holds
  double rate_share = 1;                 // of the batch's rate; 0 while joining
};

// What a renewal tells the runner.
struct LeaseState {
  bool cancelled = false;  // someone cancelled the batch: stop submitting
  // The part of the batch's rate (requests per minute and burst) this runner
  // may use from now on: 1 / live runners once every other runner has made
  // room for it, 0 before that and after its own lease may have lapsed.
  // nullopt: the runner is the batch's only one (the whole rate).
  std::optional<double> rate_share;
};

class WorkSession {
 public:
  virtual ~WorkSession() = default;

  // Up to `limit` unfinished entries of the batch that nobody else holds,
  // leased to this runner: those with a committed request_id first (they
  // are polled, never posted again), then the others by id. Each entry is
  // returned once per session. Empty when there is nothing left to lease
  // now (entries others hold may come free later: see Drained()).
  virtual Result<std::vector<Entry>> Lease(std::size_t limit) = 0;
  // True when every entry of the batch is final or leased to this runner,
  // so no later Lease() can return anything.
  virtual Result<bool> Drained() = 0;
  // Commits the group in one transaction. The group is durable when this
  // returns; the store's Queries and the batch counters may see it only
  // after Release() or Counts() (DuckDB journals commits and folds them into
  // the entries table and the counters in large steps; a crash before the
  // fold is replayed at the next open). Counters and entries move together.
  virtual Status Commit(const WriteGroup& group) = 0;
  // Whether RecordSubmissions() is available: a store that can make
  // request_ids durable more cheaply than a Commit() (DuckDB: a log file
  // beside the database, submission_log.h).
  virtual bool RecordsSubmissions() const { return false; }
  // Makes the submissions durable ahead of the group that carries them,
  // which must still be committed; their jobs may be polled once this
  // returns. Only where RecordsSubmissions().
  virtual Status RecordSubmissions(const std::vector<Submitted>& submissions) {
    (void)submissions;
    return Status(StatusCode::kInternal, "this store does not record submissions apart");
  }
  // Called at most once, when the runner has nothing left to submit and its
  // last jobs are still out: the store may do now what Release() and closing
  // would do later, so the run ends sooner after its last answer (DuckDB
  // folds the journal and checkpoints the file). Commits may follow. Best
  // effort: a failure here is not the run's error; a broken database fails
  // the next commit.
  virtual Status PrepareForRelease() { return Status::Ok(); }
  // Keeps this runner's leases alive; called at least every lease_time / 3,
  // and once before the first request.
  virtual Result<LeaseState> Renew() = 0;
  // Gives back the leases on entries this runner did not finish, and makes
  // every commit of the session visible to Queries.
  virtual Status Release() = 0;
  // The batch's entries by state, read now.
  virtual Result<BatchCounts> Counts() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The database for messages: a file path, or a URL without its password.
  virtual std::string Describe() const = 0;
  // Several processes may work on one batch at once (a shared database such
  // as PostgreSQL): `process --join` adds runners and `status` lists them.
  // False for an embedded database one process holds.
  virtual bool shared() const = 0;
  virtual const TableNames& tables() const = 0;
  virtual const MigrationReport& migration() const = 0;

  // --- Batch lifecycle ---
  // Creates the batch record (status running) and claims up to
  // options.limit entries for it: first the unfinished entries of the
  // batches in options.adopt_from, then pending (with retry_failed, also
  // failed) entries no batch holds; in one transaction: after a failure or a
  // crash neither remains. Returns the number claimed; when that is 0 no
  // batch record is created.
  virtual Result<std::int64_t> ClaimNewBatch(const NewBatch& batch,
                                             const ClaimOptions& options) = 0;
  // Every batch with a record that owns unfinished entries matching
  // `filter`, with their counts; oldest first (started_at, then id).
  virtual Result<std::vector<BatchWork>> UnfinishedWork(const EntryFilter& filter) = 0;
  // What ClaimNewBatch would take; changes nothing.
  virtual Result<ClaimPreview> PreviewClaim(const ClaimOptions& options) = 0;
  virtual Result<std::optional<BatchRecord>> GetBatch(const std::string& batch_id) = 0;
  // The batch's stored options (JSON), or nullopt when there is no such batch.
  virtual Result<std::optional<nlohmann::json>> GetBatchOptions(const std::string& batch_id) = 0;
  // kNotFound when there is no such batch.
  virtual Status UpdateBatch(const std::string& batch_id, const BatchUpdate& update) = 0;
  virtual Result<BatchCounts> CountBatch(const std::string& batch_id) = 0;

  // A session with its own connection for one runner's work on `batch_id`,
  // to be used from one (other) thread while this Store stays usable.
  virtual Result<std::unique_ptr<WorkSession>> OpenWork(const std::string& batch_id,
                                                        const RunnerInfo& runner) = 0;
  // The runners working on the batch now: for a shared database, those whose
  // leases are alive; for an embedded one that one process holds (DuckDB:
  // the file lock), this process's sessions on the batch that have not
  // released their leases, since no other process can hold the file while
  // this one has it open. A batch recorded running that no live runner
  // holds lost its runner (kill -9, a crash): BatchLifecycle shows it as
  // interrupted.
  virtual Result<std::vector<RunnerStatus>> LiveRunners(const std::string& batch_id) = 0;

  // --- import ---
  // Inserts new entries, updates those whose code changed (reset to
  // pending), leaves the rest. Atomic per call.
  virtual Result<UpsertCounts> UpsertEntries(const std::vector<EntryInput>& entries) = 0;

  // --- Moving data between stores (import of a DuckDB file, export --format duckdb) ---
  // Every entry, result, batch and error, in pages (store/transfer.h).
  virtual Status ReadAll(const TransferSink& sink) = 0;
  // Writes the rows as they are, replacing rows with the same id; atomic per call.
  virtual Status WriteAll(const TransferChunk& chunk) = 0;

  // --- Reads for status, stats, reports and export ---
  virtual Queries& queries() = 0;
};

}  // namespace cnake
