// BatchLifecycle: the one owner of a batch record's status. Every change of
// batch_jobs.status goes through here:
//
//   Claim ──> running ──Finish──> completed | interrupted | cancelled | failed
//                ^                     │
//                └──── Resume ─────────┘        Cancel (a stopped batch) ──> cancelled
//
// A run that dies without Finish (kill -9, a crash) leaves its batch
// recorded running. No live runner holds such a batch (Store::LiveRunners):
// View() shows it as interrupted (runner gone), and it counts as stopped.
// A stopped batch with unfinished entries strands them: `resume` continues
// it, or a new batch adopts them (Claim with adopt_stranded).
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
  std::string id;            // empty when nothing was claimed: no batch exists
  std::int64_t claimed = 0;  // entries the batch holds
  std::int64_t adopted = 0;  // of those, taken from stopped batches
};

// How a batch stands, for people: its recorded status, except that a batch
// recorded running that no live runner holds is shown interrupted.
struct BatchView {
  BatchStatus status = BatchStatus::kUnknown;
  bool runner_gone = false;  // recorded running, but no runner holds it
  std::string status_text;   // for JSON: the recorded text, or "interrupted"
  std::string label;         // for people: status_text, and " (runner gone)"
};

// A batch no runner holds that still owns unfinished entries.
struct StoppedBatch {
  BatchWork work;
  BatchView view;
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
  // transaction (Store::ClaimNewBatch). With `adopt_stranded`, the batch
  // first adopts the unfinished entries (matching claim.filter, up to
  // claim.limit) of every stopped batch; a batch left with nothing
  // unfinished is marked completed. A claim that finds nothing creates no
  // batch (the returned id is empty).
  Result<ClaimedBatch> Claim(const nlohmann::json& options, const ClaimOptions& claim,
                             bool adopt_stranded = false);

  Result<BatchView> View(const BatchRecord& batch);
  // Batches with unfinished entries matching `filter` that no live runner
  // holds (interrupted, cancelled, failed, or running with its runner
  // gone), oldest first.
  Result<std::vector<StoppedBatch>> Stopped(const EntryFilter& filter);

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
