// BatchLifecycle: the one owner of a batch record's status. Every change of
// batch_jobs.status goes through here:
//
//   Claim ──> running ──Finish──> completed | interrupted | cancelled | failed
//                ^                     │
//                └──── Resume ─────────┘        Cancel (a stopped batch) ──> cancelled
//
// Batch ids and timestamps come from the injected Clock and Entropy.
//
// Thread safety: one thread, like the Store it uses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/entropy.h"

namespace cnake::engine {

struct ClaimedBatch {
  std::string id;
  std::int64_t claimed = 0;
};

// Where a batch stands before `resume` runs it.
enum class ResumeState {
  kRunnable,   // has unfinished entries: marked running
  kNoEntries,  // owns no entries (its claim found none): left as it is
  kFinished,   // nothing left: marked completed
};
struct ResumeCheck {
  ResumeState state = ResumeState::kRunnable;
  BatchCounts counts;
};

enum class CancelOutcome { kMarkedCancelled, kAlreadyCompleted };

class BatchLifecycle {
 public:
  BatchLifecycle(Store& store, Clock& clock, Entropy& entropy);

  // A new batch id: b-YYYYMMDD-HHMMSS-xxxx (UTC, 16 random bits).
  std::string NewBatchId();

  // Creates a running batch with `options` and claims its entries, in one
  // transaction (Store::ClaimNewBatch). A claim that finds nothing marks its
  // batch completed at once.
  Result<ClaimedBatch> Claim(const nlohmann::json& options, const ClaimOptions& claim);

  // kNotFound when there is no such batch.
  Result<ResumeCheck> Resume(const std::string& batch_id);

  // Records how a run ended: completed when every entry is final, cancelled
  // or interrupted when stopped, failed on a fatal API error, interrupted on
  // a database error; and the run's waits. Call it after the runner released
  // its session: when other runners still work on the batch (a shared
  // store), a run that stopped for its own reasons leaves the status to them.
  // Returns the store's error, if any.
  Status Finish(const std::string& batch_id, const RunSummary& run);

  // For a batch no process runs: marks it cancelled unless it completed.
  // kNotFound when there is no such batch.
  Result<CancelOutcome> Cancel(const std::string& batch_id);

 private:
  Store& store_;
  Clock& clock_;
  Entropy& entropy_;
};

}  // namespace cnake::engine
