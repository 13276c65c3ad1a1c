// Engine: the loop's side of the store worker. Changes collect in pending_
// and go to the worker as one group; one commit runs at a time, and jobs
// whose request_id is in a group start polling only once it is committed.
#include <spdlog/spdlog.h>

#include "engine/engine.h"
#include "scheduler/poll_policy.h"
#include "util/crash_point.h"

namespace cnake::engine {

void Engine::NotePending(TimePoint now) {
  if (pending_.empty()) first_pending_ = now;
}

void Engine::Flush(TimePoint now, bool force) {
  RecordDue(now);
  if (pending_.empty() || commit_in_flight_) return;
  // Submissions wait for their commit before their job is checked, so they
  // are committed just before the first of those checks is due: one commit
  // then carries every answer that came in meanwhile instead of one commit
  // per loop turn (the fixed cost of a commit dominated the client's CPU).
  // In time for the first check of the earliest accepted job (a commit
  // takes about as long as the last one did).
  const bool submissions_due =
      !awaiting_commit_.empty() && AddSaturating(now, last_commit_cost_) >= earliest_first_check_;
  const bool due = force || submissions_due || pending_.size() >= options_.flush_count ||
                   now - first_pending_ >= options_.flush_interval;
  if (!due) return;
  spdlog::debug("batch={} commit: {} submissions, {} completions, {} failures", options_.batch_id,
                pending_.submitted.size(), pending_.completions.size(), pending_.failures.size());
  committing_ = std::move(awaiting_commit_);
  awaiting_commit_.clear();
  commit_in_flight_ = true;
  worker_.PostCommit(std::move(pending_));
  pending_ = WriteGroup();
}

void Engine::CollectStoreWork(TimePoint now) {
  for (StoreOutcome& outcome : worker_.TakeFinished()) {
    switch (outcome.op) {
      case StoreOp::kCommit:
        OnCommitted(outcome, now);
        break;
      case StoreOp::kRecord:
        OnRecorded(outcome, now);
        break;
      case StoreOp::kLease:
        OnLeased(outcome, now);
        break;
      case StoreOp::kRenew:
        OnRenewed(outcome);
        break;
      case StoreOp::kCounts:
        break;
      case StoreOp::kPrepareForRelease:
        if (!outcome.status.ok()) {
          spdlog::debug("batch={} preparing the store for the end of the run failed: {}",
                        options_.batch_id, outcome.status.message());
        }
        break;
    }
  }
}

void Engine::OnCommitted(const StoreOutcome& outcome, TimePoint now) {
  commit_in_flight_ = false;
  last_commit_end_ = now;
  last_commit_cost_ = outcome.took;
  if (!outcome.status.ok()) {
    if (db_error_.ok()) db_error_ = outcome.status;
    return;
  }
  // Request ids are durable now: their first checks may go. Attempts are
  // recorded now: send them (their rate and token budget was taken already).
  for (std::uint64_t tag : committing_) {
    auto it = jobs_.find(tag);
    if (it == jobs_.end()) continue;
    Job& job = it->second;
    if (job.phase == JobPhase::kRecording) {
      // Not after the loop has ended (FinishStoreWork): a recorded attempt
      // that was never sent counts as interrupted on resume, which
      // overcounts by one but never misses a billed call.
      const bool loop_over =
          fatal_ || !db_error_.ok() || (stop_deadline_ && now >= *stop_deadline_);
      CrashPoint("after_attempt_recorded");
      if (!loop_over) Send(tag, job, now);
      continue;
    }
    StartChecking(tag, job, now);
  }
  committing_.clear();
}

void Engine::StartChecking(std::uint64_t tag, Job& job, TimePoint now) {
  if (job.phase != JobPhase::kCommitting) return;
  Schedule(tag, job, job.first_check, std::max(now, job.first_check_due));
}

// Records the accepted jobs' request_ids just before the first of their
// checks is due (a record takes about as long as the last one did), so one
// record carries every answer that came in meanwhile.
void Engine::RecordDue(TimePoint now) {
  if (awaiting_record_.empty() || record_in_flight_) return;
  if (AddSaturating(now, last_record_cost_) < earliest_record_check_) return;
  std::vector<Submitted> submissions;
  submissions.reserve(awaiting_record_.size());
  for (std::uint64_t tag : awaiting_record_) {
    auto it = jobs_.find(tag);
    if (it == jobs_.end() || it->second.phase != JobPhase::kCommitting) continue;
    submissions.push_back(SubmittedOf(it->second));
  }
  recording_ = std::move(awaiting_record_);
  awaiting_record_.clear();
  record_in_flight_ = true;
  worker_.PostRecord(std::move(submissions));
}

void Engine::OnRecorded(const StoreOutcome& outcome, TimePoint now) {
  record_in_flight_ = false;
  last_record_cost_ = outcome.took;
  if (!outcome.status.ok()) {
    if (db_error_.ok()) db_error_ = outcome.status;
    return;
  }
  CrashPoint("after_request_id_recorded");
  for (std::uint64_t tag : recording_) {
    auto it = jobs_.find(tag);
    if (it != jobs_.end()) StartChecking(tag, it->second, now);
  }
  recording_.clear();
}

void Engine::OnLeased(StoreOutcome& outcome, TimePoint now) {
  lease_in_flight_ = false;
  if (!outcome.status.ok()) {
    if (db_error_.ok()) db_error_ = outcome.status;
    return;
  }
  for (Entry& e : outcome.entries) backlog_.push_back(std::move(e));
  if (outcome.entries.empty()) {
    if (outcome.drained) {
      drained_ = true;
    } else {
      lease_retry_at_ = AddSaturating(now, options_.lease_retry);  // others hold the rest
    }
  }
  stats_.queued = static_cast<std::int64_t>(backlog_.size());
}

void Engine::OnRenewed(const StoreOutcome& outcome) {
  if (!outcome.status.ok()) {
    spdlog::warn("batch {}: renewing leases failed: {}", options_.batch_id,
                 outcome.status.message());
    return;
  }
  if (outcome.lease.cancelled && stop_requests_.load() == 0) RequestStop(StopReason::kCancelled);
  if (!outcome.lease.rate_share) return;
  const double share = *outcome.lease.rate_share;
  if (share <= 0 && !awaiting_share_) {
    spdlog::info("batch {}: waiting for the other runners to make room in the rate limit",
                 options_.batch_id);
  }
  awaiting_share_ = share <= 0;
  limiter_.SetShare(clock_.Now(), share);
}

void Engine::MaybeRenew(TimePoint now) {
  const Duration interval = awaiting_share_ ? options_.lease_retry : options_.renew_interval;
  if (last_renew_ && now - *last_renew_ < interval) return;
  last_renew_ = now;
  worker_.PostRenew();
}

// The worker runs it in order with commits and records: an asynchronous
// server's last answers wait until their records are done, or their first
// polls would wait behind it. Results that come in meanwhile wait for the
// worker, by as long as closing the store would have taken at the end.
void Engine::MaybePrepareForRelease() {
  if (release_prepared_ || stop_deadline_ || jobs_.empty()) return;
  if (!drained_ || lease_in_flight_ || !backlog_.empty()) return;
  auto count = [&](JobPhase p) { return phase_counts_[static_cast<std::size_t>(p)]; };
  if (count(JobPhase::kToSubmit) > 0 || count(JobPhase::kRecording) > 0) return;
  if (submissions_accepted_ &&
      (count(JobPhase::kSubmitting) > 0 || count(JobPhase::kCommitting) > 0)) {
    return;
  }
  release_prepared_ = true;
  worker_.PostPrepareForRelease();
}

// After the loop: hand over what is left, wait for every commit, and collect
// the outcomes (a failed final commit is the run's database error).
void Engine::FinishStoreWork() {
  for (int round = 0; round < 2; ++round) {  // a commit in flight, then the rest
    for (StoreOutcome& outcome : worker_.Drain()) {
      if (outcome.op == StoreOp::kCommit) OnCommitted(outcome, clock_.Now());
      if (outcome.op == StoreOp::kRecord) OnRecorded(outcome, clock_.Now());
      if (outcome.op == StoreOp::kLease) OnLeased(outcome, clock_.Now());
    }
    Flush(clock_.Now(), /*force=*/true);
  }
}

}  // namespace cnake::engine
