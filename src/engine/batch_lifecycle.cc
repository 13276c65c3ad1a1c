#include "engine/batch_lifecycle.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

#include "engine/snapshot.h"
#include "store/request_summary.h"

namespace cnake::engine {

BatchLifecycle::BatchLifecycle(Store& store, Clock& clock, Entropy& entropy)
    : store_(store), clock_(clock), entropy_(entropy) {}

std::string BatchLifecycle::NewBatchId() {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.WallNow());
  const auto secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(
          now.time_since_epoch()));
  return fmt::format("b-{:%Y%m%d-%H%M%S}-{:04x}", fmt::gmtime(secs),
                     static_cast<unsigned>(entropy_.Next64() & 0xffff));
}

Result<ClaimedBatch> BatchLifecycle::Claim(const nlohmann::json& options, const ClaimOptions& claim,
                                           bool adopt_stranded) {
  ClaimOptions with = claim;
  std::int64_t adoptable = 0;
  if (adopt_stranded) {
    CNAKE_ASSIGN_OR_RETURN(std::vector<StoppedBatch> stopped, Stopped(claim.filter));
    for (const StoppedBatch& b : stopped) {
      with.adopt_from.push_back(b.work.batch.id);
      adoptable += b.work.unfinished;
    }
  }
  NewBatch batch{NewBatchId(), options, clock_.WallNow()};
  CNAKE_ASSIGN_OR_RETURN(std::int64_t claimed, store_.ClaimNewBatch(batch, with));
  if (claimed == 0) return ClaimedBatch{};
  // Adopted entries come first (Store::ClaimNewBatch).
  ClaimedBatch out{batch.id, claimed, std::min(adoptable, claimed)};
  for (const std::string& from : with.adopt_from) {
    auto counts = store_.CountBatch(from);
    if (!counts.ok() || counts->finished() < counts->total) continue;
    BatchUpdate done;
    done.status = BatchStatus::kCompleted;
    done.completed_at = clock_.WallNow();
    done.stop_reason = "its unfinished entries went to batch " + batch.id;
    (void)store_.UpdateBatch(from, done);  // resume would do the same
  }
  return out;
}

Result<BatchView> BatchLifecycle::View(const BatchRecord& batch) {
  BatchView view{batch.status, false, batch.status_text, batch.status_text};
  if (batch.status != BatchStatus::kRunning) return view;
  CNAKE_ASSIGN_OR_RETURN(std::vector<RunnerStatus> runners, store_.LiveRunners(batch.id));
  if (!runners.empty()) return view;
  view.status = BatchStatus::kInterrupted;
  view.runner_gone = true;
  view.status_text = std::string(BatchStatusName(BatchStatus::kInterrupted));
  view.label = view.status_text + " (runner gone)";
  return view;
}

Result<std::vector<StoppedBatch>> BatchLifecycle::Stopped(const EntryFilter& filter) {
  CNAKE_ASSIGN_OR_RETURN(std::vector<BatchWork> work, store_.UnfinishedWork(filter));
  std::vector<StoppedBatch> out;
  for (BatchWork& w : work) {
    CNAKE_ASSIGN_OR_RETURN(BatchView view, View(w.batch));
    if (view.status == BatchStatus::kRunning) continue;  // a live runner holds it
    out.push_back({std::move(w), std::move(view)});
  }
  return out;
}

Result<ResumeCheck> BatchLifecycle::Resume(const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(auto batch, store_.GetBatch(batch_id));
  if (!batch) return NotFound("no batch " + batch_id + "; `stats` lists the batches");
  ResumeCheck check;
  CNAKE_ASSIGN_OR_RETURN(check.counts, store_.CountBatch(batch_id));
  if (check.counts.total == 0) {
    // A batch whose claim found nothing (or, before claims created their
    // batch in their own transaction, failed) keeps its record as it is.
    check.state = ResumeState::kNoEntries;
    return check;
  }
  BatchUpdate update;
  if (check.counts.finished() == check.counts.total) {
    check.state = ResumeState::kFinished;
    update.status = BatchStatus::kCompleted;
    update.completed_at = clock_.WallNow();
    (void)store_.UpdateBatch(batch_id, update);
    return check;
  }
  update.status = BatchStatus::kRunning;
  CNAKE_RETURN_IF_ERROR(store_.UpdateBatch(batch_id, update));
  return check;
}

Status BatchLifecycle::Finish(const std::string& batch_id, const RunSummary& run) {
  BatchUpdate update;
  switch (run.reason) {
    case StopReason::kDatabase:
      update.status = BatchStatus::kInterrupted;
      update.stop_reason = "database error: " + run.message;
      break;
    case StopReason::kAuthFailed:
    case StopReason::kFatal:
      update.status = BatchStatus::kFailed;
      update.stop_reason = run.message;
      break;
    case StopReason::kFinished: {
      update.status = BatchStatus::kCompleted;
      update.completed_at = clock_.WallNow();
      // Every entry is finished, so the request log is final: keep its
      // figures with the record. Without them readers scan the rows.
      if (auto summary =
              SummarizeRequests(store_.queries(), batch_id, LatencyHistogram::BoundsList());
          summary.ok()) {
        update.request_summary = RequestSummaryJson(*summary);
      }
      break;
    }
    case StopReason::kCancelled:
      update.status = BatchStatus::kCancelled;
      update.stop_reason = "cancel requested";
      break;
    case StopReason::kInterrupted:
      update.status = BatchStatus::kInterrupted;
      if (run.stopped_by_request) update.stop_reason = "signal";
      break;
  }
  update.add_retry_after_wait_seconds = run.final.rate_wait_seconds;
  update.add_breaker_open_seconds = run.final.breaker_open_seconds;
  if (run.reason != StopReason::kFinished && run.reason != StopReason::kCancelled) {
    // A runner that leaves for its own reasons (a signal, its key, its
    // database connection) leaves the batch to the runners still on it.
    auto others = store_.LiveRunners(batch_id);
    if (others.ok() && !others->empty()) {
      update.status.reset();
      update.stop_reason.reset();
    }
  }
  return store_.UpdateBatch(batch_id, update);
}

Result<CancelOutcome> BatchLifecycle::Cancel(const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(auto batch, store_.GetBatch(batch_id));
  if (!batch) return NotFound("no batch " + batch_id);
  if (batch->status == BatchStatus::kCompleted) return CancelOutcome::kAlreadyCompleted;
  BatchUpdate update;
  update.status = BatchStatus::kCancelled;
  update.stop_reason = "cancel command";
  CNAKE_RETURN_IF_ERROR(store_.UpdateBatch(batch_id, update));
  return CancelOutcome::kMarkedCancelled;
}

}  // namespace cnake::engine
