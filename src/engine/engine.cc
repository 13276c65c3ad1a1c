#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/submission.h"
#include "util/crash_point.h"

namespace cnake::engine {

using scheduler::Endpoint;

namespace {

void CopyCounts(const BatchCounts& c, Snapshot& s) {
  s.total = c.total;
  s.completed = c.completed;
  s.failed = c.failed;
  s.pending = c.pending;
  s.submitted = c.submitted;
  s.processing = c.processing;
  s.retrying = c.retrying;
}

}  // namespace

const char* StopReasonName(StopReason r) {
  switch (r) {
    case StopReason::kFinished:
      return "finished";
    case StopReason::kInterrupted:
      return "interrupted";
    case StopReason::kCancelled:
      return "cancelled";
    case StopReason::kAuthFailed:
      return "auth_failed";
    case StopReason::kFatal:
      return "fatal";
    case StopReason::kDatabase:
      return "database";
  }
  return "unknown";
}

Engine::Engine(WorkSession& work, api::Transport& transport, Clock& clock, EngineOptions options)
    : transport_(transport),
      clock_(clock),
      options_(std::move(options)),
      protocol_(options_.protocol ? options_.protocol
                                  : api::MakeCnakeCharmerProtocol(options_.prompt_template)),
      rng_(options_.seed ? options_.seed
                         : static_cast<std::uint64_t>(clock.WallNow().time_since_epoch().count())),
      limiter_(options_.rate, clock.Now()),
      token_budget_(options_.tokens, clock.Now()),
      token_estimator_(protocol_->MaxCompletionTokens()),
      breaker_(options_.breaker_threshold, options_.probe_base, options_.probe_max),
      worker_(work, options_.store_worker, [this] { transport_.Wakeup(); }),
      records_submissions_(work.RecordsSubmissions()) {
  stats_.batch_id = options_.batch_id;
  stats_.configured_rpm = options_.rate.requests_per_minute;
  stats_.configured_tpm = token_budget_.enabled() ? token_budget_.tokens_per_minute() : 0;
  if (options_.price_per_million_input > 0 || options_.price_per_million_output > 0) {
    stats_.cost = 0;
  }
}

void Engine::RequestStop(StopReason why) {
  stop_reason_.store(why);
  stop_requests_.fetch_add(1);
  transport_.Wakeup();
}

Snapshot Engine::CurrentSnapshot() const {
  std::lock_guard lock(published_mu_);
  return published_;
}

// Reads the batch's counts and renews the leases (learning this runner's
// share of the rate) before the loop starts, through the worker, which owns
// the session.
Status Engine::Start() {
  started_ = clock_.Now();
  rate_window_start_ = started_;
  rate_window_requests_ = stats_.requests;
  worker_.PostCounts();
  worker_.PostRenew();
  last_renew_ = started_;
  std::vector<StoreOutcome> done = worker_.Drain();
  if (done.empty() || !done.front().status.ok()) {
    return done.empty() ? InternalError("no counts") : done.front().status;
  }
  if (done.size() > 1) OnRenewed(done[1]);
  CopyCounts(done.front().counts, stats_);
  finished_before_ = done.front().counts.finished();
  stats_.finished_at_start = finished_before_;
  return Status::Ok();
}

RunSummary Engine::Run(const ProgressSink& on_progress) {
  if (Status st = Start(); !st.ok()) {
    RunSummary failed{StopReason::kDatabase, st.message(), st};
    failed.final = stats_;
    return failed;
  }
  Publish(started_, on_progress, true);  // the live channel shows the batch from the start
  for (;;) {
    const TimePoint now = clock_.Now();
    if (stop_requests_.load() > 0 && !stop_deadline_) {
      stop_deadline_ = AddSaturating(now, options_.shutdown_grace);
      stats_.phase = RunPhase::kStopping;
      spdlog::info("batch {}: stopping; waiting up to {}s for in-flight jobs", options_.batch_id,
                   std::chrono::duration<double>(options_.shutdown_grace).count());
    }
    CollectStoreWork(now);
    if (!db_error_.ok() || fatal_) break;
    if (stop_deadline_ && now >= *stop_deadline_) break;
    if (stop_requests_.load() > 1) {
      spdlog::info("batch {}: stopping now; {} requests in flight abandoned", options_.batch_id,
                   transport_.in_flight());
      break;
    }
    Admit(now);
    if (Done()) break;
    Turn(now, on_progress);
  }
  FinishStoreWork();
  return Summarize(on_progress);
}

// One turn of the loop: send what is due, wait for the network (or the
// store worker), act on what came back, hand due changes to the worker.
void Engine::Turn(TimePoint now, const ProgressSink& on_progress) {
  Dispatch(now);
  MaybePrepareForRelease();  // before the answers: they may end the run
  // POSTs started since the last poll: by Dispatch, or by a commit that
  // recorded their attempt (protocols without idempotency).
  const bool posted = stats_.requests_by_endpoint[0] != posts_polled_;
  posts_polled_ = stats_.requests_by_endpoint[0];
  std::vector<api::Response> responses = transport_.Poll(PollWait(now));
  if (posted) CrashPoint("after_post_sent");
  for (const api::Response& r : responses) OnResponse(r, clock_.Now());
  now = clock_.Now();
  Flush(now, false);
  MaybeRenew(now);
  stats_.entries_per_second = static_cast<double>(stats_.finished() - finished_before_) /
                              std::max(1e-9, std::chrono::duration<double>(now - started_).count());
  Publish(now, on_progress, false);
}

bool Engine::Done() const {
  if (!jobs_.empty() || transport_.in_flight() > 0) {
    // While stopping, jobs that still wait to be submitted do not hold us up.
    if (!stop_deadline_) return false;
    for (const auto& [tag, job] : jobs_) {
      if (job.phase != JobPhase::kToSubmit) return false;
    }
    return true;
  }
  return backlog_.empty() && !lease_in_flight_ && (drained_ || stop_deadline_);
}

void Engine::Admit(TimePoint now) {
  if (stop_deadline_) return;
  const auto cap = static_cast<std::size_t>(options_.max_concurrent);
  while (jobs_.size() < cap && !backlog_.empty()) {
    Job job;
    job.entry = std::move(backlog_.front());
    backlog_.pop_front();
    job.admitted = now;
    job.retries = std::max(0, job.entry.attempts - 1);
    job.written = job.entry.state;
    const std::uint64_t tag = next_tag_++;
    Job& placed = jobs_.emplace(tag, std::move(job)).first->second;
    ++phase_counts_[static_cast<std::size_t>(placed.phase)];
    if (!PrepareAdmitted(tag, placed)) continue;  // failed at once (engine_billed.cc)
    // A stored request_id is polled, never posted again.
    Schedule(tag, placed, placed.entry.request_id ? JobPhase::kToPoll : JobPhase::kToSubmit, now);
  }
  // Lease the next page before the backlog runs dry, so admission never
  // waits for the database.
  const bool retry_due = !lease_retry_at_ || now >= *lease_retry_at_;
  if (!drained_ && !lease_in_flight_ && retry_due && backlog_.size() < cap) {
    lease_in_flight_ = true;
    lease_retry_at_.reset();
    worker_.PostLease(options_.page_size);
  }
  stats_.queued = static_cast<std::int64_t>(backlog_.size());
}

bool Engine::Backpressured() const {
  return commit_in_flight_ && pending_.size() >= options_.max_pending_changes;
}

void Engine::UpdateNearRateLimit(TimePoint now) {
  const Duration span = now - rate_window_start_;
  if (span < std::chrono::seconds(1)) return;
  const double per_minute = static_cast<double>(stats_.requests - rate_window_requests_) * 60 /
                            std::chrono::duration<double>(span).count();
  near_rate_limit_ = per_minute >= 0.8 * limiter_.current_rpm();
  rate_window_start_ = now;
  rate_window_requests_ = stats_.requests;
}

void Engine::Dispatch(TimePoint now) {
  UpdateNearRateLimit(now);
  // Held again below if a due request still waits for the limit.
  if (rate_held_since_) {
    if (near_rate_limit_) rate_held_total_ += now - *rate_held_since_;
    rate_held_since_.reset();
  }
  if (Backpressured()) return;
  if (breaker_.ProbeDue(now) && !probe_in_flight_ && limiter_.TryAcquire(now)) SendProbe(now);
  while (!timers_.empty() && timers_.top().due <= now) {
    const Timer top = timers_.top();
    auto it = jobs_.find(top.tag);
    if (it == jobs_.end() || !Waiting(it->second.phase) || it->second.due != top.due) {
      timers_.pop();  // stale
      continue;
    }
    Job& job = it->second;
    if (stop_deadline_ && job.phase == JobPhase::kToSubmit) {
      timers_.pop();  // no new submissions while stopping
      continue;
    }
    if (!breaker_.AllowsDispatch() || !BudgetsAllow(job, now)) break;
    if (!limiter_.TryAcquire(now)) {
      if (!limiter_.paused(now) && !rate_held_since_) rate_held_since_ = now;
      return;
    }
    timers_.pop();
    TakeBudgets(job, now);
    if (job.phase == JobPhase::kToSubmit && !protocol_->idempotent_submit()) {
      RecordAttempt(top.tag, job);  // sent once the attempt is committed
      continue;
    }
    Send(top.tag, job, now);
  }
}

// An adopted entry's submission stays the one its old batch may have posted:
// the same key and the same body (engine/submission.h), so a server honouring
// Idempotency-Key answers with the job it made then.
api::SubmitInput Engine::SubmitInputFor(const Job& job) const {
  return SubmissionInput(job.entry, job.entry.key_batch_id.value_or(options_.batch_id));
}

void Engine::Send(std::uint64_t tag, Job& job, TimePoint now) {
  api::Request req;
  if (job.phase == JobPhase::kToSubmit || job.phase == JobPhase::kRecording) {
    req = protocol_->BuildSubmit(SubmitInputFor(job));
    job.request_bytes = req.body.size();
    Transition(job, JobPhase::kSubmitting);
    NoteSubmitSent(job, now);
    // When the token budget counts this request from, and what it reserved:
    // a debug log holds the client's side of every window a provider counts.
    spdlog::debug("batch={} entry={} generate attempt {} sent at {:.6f} s, {} tokens reserved",
                  options_.batch_id, job.entry.id, job.retries + 1,
                  std::chrono::duration<double>(now - started_).count(),
                  job.token_reservation != 0 ? job.reserved_tokens : 0);
  } else {
    const std::string& id = *job.entry.request_id;
    const bool status = job.phase == JobPhase::kToPoll;
    req.endpoint = status ? Endpoint::kStatus : Endpoint::kResult;
    req.path = status ? protocol_->StatusPath(id) : protocol_->ResultPath(id);
    Transition(job, status ? JobPhase::kPolling : JobPhase::kFetching);
  }
  req.tag = tag;
  job.request_started = now;
  ++stats_.requests;
  ++stats_.requests_by_endpoint[static_cast<int>(req.endpoint)];
  transport_.Start(req);
}

void Engine::SendProbe(TimePoint now) {
  if (!breaker_.TryStartProbe(now)) return;
  probe_in_flight_ = true;
  api::Request req;
  req.tag = kProbeTag;
  req.endpoint = Endpoint::kHealth;
  req.path = protocol_->HealthPath();
  ++stats_.requests;
  ++stats_.requests_by_endpoint[static_cast<int>(Endpoint::kHealth)];
  transport_.Start(req);
}

Duration Engine::PollWait(TimePoint now) const {
  Duration wait = std::chrono::milliseconds(500);  // keeps progress and stop checks lively
  if (worker_.HasFinished()) return Duration::zero();
  auto until = [&](TimePoint t) { return std::max(Duration::zero(), t - now); };
  if (!timers_.empty() && !Backpressured()) {
    Duration next = until(timers_.top().due);
    if (timers_.top().due <= now) {
      next = limiter_.TimeUntilAvailable(now);
      auto top = jobs_.find(timers_.top().tag);
      if (top != jobs_.end()) next = std::max(next, BudgetWait(top->second, now));
    }
    if (!breaker_.AllowsDispatch()) next = breaker_.TimeUntilProbe(now);
    wait = std::min(wait, std::max(next, Duration::zero()));
  }
  if (!pending_.empty() && !commit_in_flight_) {
    wait = std::min(wait, until(first_pending_ + options_.flush_interval));
    if (!awaiting_commit_.empty()) {
      wait = std::min(wait, until(earliest_first_check_ - last_commit_cost_));
    }
  }
  if (!awaiting_record_.empty() && !record_in_flight_) {
    wait = std::min(wait, until(earliest_record_check_ - last_record_cost_));
  }
  if (lease_retry_at_) wait = std::min(wait, until(*lease_retry_at_));
  if (stop_deadline_) wait = std::min(wait, until(*stop_deadline_));
  return wait;
}

void Engine::Publish(TimePoint now, const ProgressSink& on_progress, bool force) {
  if (!force && now - last_publish_ < options_.publish_interval) return;
  last_publish_ = now;
  // A job is at the API from its POST on: against a synchronous server it
  // never holds a request_id, yet its POST is the whole job.
  stats_.jobs_in_flight = static_cast<std::int64_t>(jobs_.size()) -
                          phase_counts_[static_cast<std::size_t>(JobPhase::kToSubmit)];
  stats_.requests_in_flight = static_cast<std::int64_t>(transport_.in_flight());
  stats_.current_rpm = limiter_.current_rpm();
  if (stats_.cost >= 0) {
    stats_.cost =
        (static_cast<double>(stats_.prompt_tokens) * options_.price_per_million_input +
         static_cast<double>(stats_.completion_tokens) * options_.price_per_million_output) /
        1e6;
  }
  stats_.throttled = limiter_.throttles();
  stats_.breaker_state = scheduler::CircuitStateName(breaker_.state());
  stats_.rate_wait_seconds = std::chrono::duration<double>(limiter_.total_paused(now)).count();
  const bool held = rate_held_since_ && near_rate_limit_;
  stats_.rate_limited = held;
  stats_.rate_limited_seconds =
      std::chrono::duration<double>(rate_held_total_ +
                                    (held ? now - *rate_held_since_ : Duration{}))
          .count();
  stats_.breaker_open_seconds =
      std::chrono::duration<double>(breaker_.total_open_time(now)).count();
  stats_.elapsed_seconds = std::chrono::duration<double>(now - started_).count();
  stats_.eta_seconds = eta_.Update(now, stats_);
  {
    std::lock_guard lock(published_mu_);
    published_ = stats_;
  }
  if (on_progress) on_progress(stats_);
}

RunSummary Engine::Summarize(const ProgressSink& on_progress) {
  RunSummary summary;
  if (drained_ && db_error_.ok() && !fatal_ && stats_.finished() < stats_.total) {
    // Other runners finished the rest of the batch (a shared store): count again.
    worker_.PostCounts();
    for (const StoreOutcome& o : worker_.Drain()) {
      if (o.op != StoreOp::kCounts || !o.status.ok()) continue;
      CopyCounts(o.counts, stats_);
    }
  }
  if (!db_error_.ok()) {
    summary.reason = StopReason::kDatabase;
    summary.message = db_error_.message();
    summary.database_error = db_error_;
  } else if (fatal_) {
    summary.reason = *fatal_;
    summary.message = fatal_message_;
  } else if (stats_.finished() >= stats_.total) {
    summary.reason = StopReason::kFinished;
  } else if (stop_requests_.load() > 0) {
    summary.reason = stop_reason_.load();
    summary.stopped_by_request = true;
  } else {
    summary.reason = StopReason::kInterrupted;
  }
  const TimePoint now = clock_.Now();
  stats_.phase = RunPhase::kFinished;
  Publish(now, on_progress, true);
  summary.final = stats_;
  return summary;
}

void Engine::NoteError(const std::string& text) {
  stats_.recent_errors.push_back(text);
  while (stats_.recent_errors.size() > Snapshot::kRecentErrors) stats_.recent_errors.pop_front();
}

}  // namespace cnake::engine
