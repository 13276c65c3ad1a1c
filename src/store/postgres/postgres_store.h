// PostgresStore: the Store (store/store.h) over a shared PostgreSQL
// database, the work queue of several runners on several machines.
//
// Same tables as the DuckDB store (store/postgres/pg_schema.h), plus the
// runner registry. Any number of processes may open it at once: `status`,
// `stats` and `cancel` read and write the database while runs go on, and
// `process --join` adds runners to a batch (PostgresWorkSession leases
// entries to each). Open() validates the table names, connects (kDatabase
// with what to check when the server cannot be reached) and migrates the
// schema unless read-only; without create_if_missing a database that lacks
// the client's tables is kNotFound.
//
// The main-thread connection reconnects once when a statement finds it
// broken (the server restarted meanwhile) and runs a read again.
//
// Thread safety: the Store from one thread; each WorkSession from one
// (other) thread, on a connection of its own.
#pragma once

#include <memory>
#include <string>

#include "store/postgres/pg.h"
#include "store/store.h"
#include "util/clock.h"

namespace cnake {

struct PostgresOptions {
  std::string url;  // may carry a password: never printed (Describe() leaves it out)
  TableNames tables;
  bool read_only = false;  // no migration, no writes
  // False: a database without the client's tables is an error (kNotFound)
  // instead of getting them, as a missing DuckDB file is (store/open_store.h).
  bool create_if_missing = true;
  Duration lease_time = std::chrono::seconds(30);  // for the sessions' leases
  Duration renew_interval = std::chrono::seconds(2);
};

class PostgresQueries;

class PostgresStore final : public Store {
 public:
  // `clock` must outlive the store and its sessions.
  static Result<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options,
                                                     Clock& clock = RealClock());
  ~PostgresStore() override;

  std::string Describe() const override { return describe_; }
  bool shared() const override { return true; }
  const TableNames& tables() const override { return options_.tables; }
  const MigrationReport& migration() const override { return migration_; }

  Result<std::int64_t> ClaimNewBatch(const NewBatch& batch, const ClaimOptions& options) override;
  Result<std::vector<BatchWork>> UnfinishedWork(const EntryFilter& filter) override;
  Result<ClaimPreview> PreviewClaim(const ClaimOptions& options) override;
  Result<std::optional<BatchRecord>> GetBatch(const std::string& batch_id) override;
  Result<std::optional<nlohmann::json>> GetBatchOptions(const std::string& batch_id) override;
  Status UpdateBatch(const std::string& batch_id, const BatchUpdate& update) override;
  Result<BatchCounts> CountBatch(const std::string& batch_id) override;
  Result<std::unique_ptr<WorkSession>> OpenWork(const std::string& batch_id,
                                                const RunnerInfo& runner) override;
  Result<std::vector<RunnerStatus>> LiveRunners(const std::string& batch_id) override;
  Result<UpsertCounts> UpsertEntries(const std::vector<EntryInput>& entries) override;
  Status ReadAll(const TransferSink& sink) override;
  Status WriteAll(const TransferChunk& chunk) override;
  Queries& queries() override;

  // The calling thread's connection: PostgreSQL-specific callers and tests.
  pg::Connection& connection() { return conn_; }
  // Reconnects when the connection broke (the server restarted), so the
  // next statement can run; ok when it was fine.
  Status EnsureConnected();
  // A read: runs, and once more after reconnecting if the connection broke.
  Result<pg::QueryResult> Read(const std::string& sql, const pg::Params& params = {});

 private:
  PostgresStore(PostgresOptions options, Clock& clock, pg::Connection conn);
  // Runs `op` on the connection, and once more after reconnecting when it
  // broke (the server restarted while this connection sat idle: the
  // statement never reached it).
  template <typename Op>
  auto Retried(Op op) -> decltype(op());

  PostgresOptions options_;
  Clock& clock_;
  pg::Connection conn_;
  std::string describe_;
  MigrationReport migration_;
  std::unique_ptr<PostgresQueries> queries_;
};

}  // namespace cnake
