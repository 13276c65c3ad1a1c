// MemoryStore: the Store (store/store.h) in memory, with the full queue
// semantics: several WorkSessions (runners) may work on one batch; each
// leases entries for `lease_time` on the injected clock, renews them, and
// loses them when it stops renewing, after which another runner takes them
// over. Commits apply only to entries the committing runner holds.
//
// It is the reference for the store contract (the engine's unit tests run
// against it as well as against DuckDB) and the model a shared database such
// as PostgreSQL implements with SELECT ... FOR UPDATE SKIP LOCKED.
//
// Thread safety: every member is safe to call from any thread; one mutex
// guards the data.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/local_runners.h"
#include "store/store.h"
#include "util/clock.h"

namespace cnake {

class MemoryStore final : public Store {
 public:
  // `clock` must outlive the store and its sessions.
  explicit MemoryStore(Clock& clock, Duration lease_time = std::chrono::seconds(30));
  ~MemoryStore() override;

  std::string Describe() const override { return "memory"; }
  const TableNames& tables() const override { return tables_; }
  const MigrationReport& migration() const override { return migration_; }

  Result<std::int64_t> ClaimNewBatch(const NewBatch& batch, const ClaimOptions& options) override;
  Result<ClaimPreview> PreviewClaim(const ClaimOptions& options) override;
  Result<std::optional<BatchRecord>> GetBatch(const std::string& batch_id) override;
  Result<std::optional<nlohmann::json>> GetBatchOptions(const std::string& batch_id) override;
  Status UpdateBatch(const std::string& batch_id, const BatchUpdate& update) override;
  Result<BatchCounts> CountBatch(const std::string& batch_id) override;
  Result<std::vector<BatchWork>> UnfinishedWork(const EntryFilter& filter) override;
  Result<std::unique_ptr<WorkSession>> OpenWork(const std::string& batch_id,
                                                const RunnerInfo& runner) override;
  // Sessions that have not released their leases (store/local_runners.h).
  Result<std::vector<RunnerStatus>> LiveRunners(const std::string& batch_id) override;
  Result<UpsertCounts> UpsertEntries(const std::vector<EntryInput>& entries) override;
  Queries& queries() override;

  // --- Inspection, for tests ---
  struct StoredResult {
    std::string python_id;
    std::string code;
    nlohmann::json metadata;
    SystemTimePoint generated_at{};
  };
  struct StoredError {
    std::string entry_id, batch_id, error_type, message, request_id, endpoint;
    int http_status = 0, attempt = 0;
    SystemTimePoint occurred_at{};
  };
  std::optional<Entry> EntryById(const std::string& id) const;
  std::map<std::string, StoredResult> Results() const;  // by entry id
  std::vector<StoredError> Errors() const;
  std::vector<RequestLog> Requests() const;
  // Makes every later Commit fail with `status` (ok: commits work again).
  void FailCommits(Status status);

 private:
  friend class MemoryWorkSession;
  friend class MemoryQueries;
  struct Row {
    Entry entry;
    std::string lease_owner;  // empty: not leased
    TimePoint lease_expiry{};
    std::optional<SystemTimePoint> processed_at;  // when it became final
  };
  struct Batch {
    BatchRecord record;
    nlohmann::json options;
    std::string stop_reason;
    // Wall-clock times (the clock's WallNow) as the reports read them.
    SystemTimePoint started_at{}, updated_at{};
    std::optional<SystemTimePoint> completed_at;
  };

  bool Candidate(const Row& row, const ClaimOptions& options) const;
  bool Matches(const Entry& e, const EntryFilter& filter) const;
  std::int64_t AdoptLocked(const std::string& batch_id, const ClaimOptions& options);
  BatchCounts CountLocked(const std::string& batch_id) const;

  Clock& clock_;
  const Duration lease_time_;
  TableNames tables_;
  MigrationReport migration_;
  std::unique_ptr<Queries> queries_;

  mutable std::mutex mu_;
  std::map<std::string, Row> rows_;  // by entry id, ordered
  std::map<std::string, Batch> batches_;
  std::map<std::string, StoredResult> results_;
  std::vector<StoredError> errors_;
  std::vector<RequestLog> requests_;
  std::vector<std::string> request_batches_;  // batch of requests_[i]
  Status commit_failure_;
  std::shared_ptr<LocalRunners> runners_ = std::make_shared<LocalRunners>();
};

}  // namespace cnake
