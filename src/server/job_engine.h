// The job table: submission, capacity-aware schedule, idempotency, retention.
//
// No thread runs jobs. Each job's start and finish time is fixed at submission
// from a schedule of `capacity` virtual workers (a job starts when the earliest
// worker frees up), and every state is computed from those timestamps and the
// injected Clock when someone asks. This makes zero-delay jobs cost one hash
// insert and lets tests drive time with a FakeClock.
//
// Thread-safety: every public method may be called concurrently. The job and
// idempotency tables are sharded by key hash, each shard under its own mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/clock.h"
#include "util/status.h"

namespace cnake::server {

// What happens to a job, decided at submission (fault injection picks it).
enum class JobFate {
  kNormal,          // completes at its finish time
  kFails,           // ends `failed` at its finish time, with error messages
  kNeverCompletes,  // stays `processing` forever (until forgotten)
  kLost,            // /status and /results answer 404 right after acceptance
};

enum class JobState { kPending, kProcessing, kCompleted, kFailed };
const char* JobStateName(JobState state);
bool IsFinal(JobState state);

// Immutable once built; shared between the table and in-flight responses.
struct JobOutput {
  std::string python;
  std::string python_sha256;
  nlohmann::json analysis_results;          // object
  std::vector<std::string> error_messages;  // non-empty for failed jobs
};

struct NewJob {
  JobFate fate = JobFate::kNormal;
  Micros duration{0};
  std::shared_ptr<const JobOutput> output;
};

struct SubmitOptions {
  std::string idempotency_key;  // empty: no idempotency
  std::string body_hash;        // compared when the key is reused
  std::string fault_key;        // stored; status/results fault decisions use it
};

struct JobSnapshot {
  std::string request_id;
  JobState state = JobState::kPending;
  std::optional<double> progress;     // percent, 0-100
  std::optional<double> eta_seconds;  // until finish; null once final or stuck
  JobFate fate = JobFate::kNormal;
  std::string fault_key;
  std::shared_ptr<const JobOutput> output;
  MonoTime finish;
};

struct SubmitResult {
  JobSnapshot job;
  bool created = false;  // false: an idempotent replay of an existing job
};

enum class LookupKind { kStatus, kResults };

struct EngineStats {
  uint64_t jobs_created = 0;
  uint64_t idempotent_replays = 0;
  uint64_t jobs_forgotten = 0;
  int64_t outstanding_jobs = 0;
  int64_t max_outstanding_jobs = 0;
  uint64_t jobs_in_table = 0;
};

class JobEngine {
 public:
  struct Options {
    size_t capacity = 4;                       // jobs processed at once, >= 1
    Micros retention = std::chrono::hours(1);  // finished jobs kept this long
  };

  // `clock` must outlive the engine.
  JobEngine(Options options, Clock* clock);

  // Creates a job, or returns the existing one when `idempotency_key` was seen
  // with the same body_hash. `make_job` runs only when a job is created (under
  // a shard lock: keep it free of calls back into the engine).
  // Errors: kAlreadyExists when the key was used with a different body.
  Result<SubmitResult> Submit(const SubmitOptions& options,
                              const std::function<NewJob()>& make_job);

  struct Attempt {
    std::string fault_key;
    uint32_t number = 0;  // 1 for the first request of this kind for the job
  };
  // Counts a /status or /results request for `id` and returns its attempt
  // number, or nullopt if the id is unknown or forgotten. Lost jobs count too.
  std::optional<Attempt> CountAttempt(std::string_view id, LookupKind kind);

  // The job as it should be served now. Serving a final state through
  // /results, or `failed` through /status, ends the job's "outstanding" period;
  // so does serving a lost job (the caller answers 404 for those).
  std::optional<JobSnapshot> Observe(std::string_view id, LookupKind kind);

  // Drops every job and idempotency entry and zeroes the statistics.
  void Reset();
  EngineStats Stats() const;
  Clock* clock() const { return clock_; }
  const Options& options() const { return options_; }

 private:
  struct Job {
    std::string fault_key;
    std::string idempotency_key;
    JobFate fate = JobFate::kNormal;
    MonoTime start, finish, expires;
    std::shared_ptr<const JobOutput> output;
    uint32_t status_attempts = 0;
    uint32_t results_attempts = 0;
    bool outstanding = true;
  };
  struct JobShard {
    std::mutex mu;
    std::unordered_map<std::string, Job> jobs;
    MonoTime next_sweep;
  };
  struct IdemEntry {
    std::string body_hash;
    std::string request_id;
  };
  struct IdemShard {
    std::mutex mu;
    std::unordered_map<std::string, IdemEntry> entries;
  };
  static constexpr size_t kShards = 64;

  JobShard& ShardFor(std::string_view id);
  IdemShard& IdemShardFor(std::string_view key);
  std::string NewRequestId();
  // Reserves a worker slot: returns {start, finish}.
  std::pair<MonoTime, MonoTime> Schedule(MonoTime now, Micros duration);
  JobSnapshot SnapshotOf(const std::string& id, const Job& job, MonoTime now) const;
  // Caller holds shard.mu. Returns idempotency keys of erased jobs.
  void SweepLocked(JobShard& shard, MonoTime now, std::vector<std::string>* idem_keys);
  void ForgetIdempotencyKeys(const std::vector<std::string>& keys);
  void EndOutstanding(Job& job);

  const Options options_;
  Clock* const clock_;
  mutable std::array<JobShard, kShards> shards_;
  std::array<IdemShard, kShards> idem_shards_;

  std::mutex schedule_mu_;
  std::priority_queue<MonoTime, std::vector<MonoTime>, std::greater<>> worker_free_at_;

  const uint64_t id_base_hi_;
  const uint64_t id_base_lo_;
  std::atomic<uint64_t> id_counter_{0};

  std::atomic<uint64_t> jobs_created_{0};
  std::atomic<uint64_t> idempotent_replays_{0};
  std::atomic<uint64_t> jobs_forgotten_{0};
  std::atomic<int64_t> outstanding_{0};
  std::atomic<int64_t> max_outstanding_{0};
};

}  // namespace cnake::server
