#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/api_paths.h"
#include "config/prompt_template.h"
#include "engine/entry_changes.h"
#include "engine/idempotency.h"
#include "util/crash_point.h"

namespace cnake::engine {

using scheduler::Endpoint;

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

Engine::Engine(Store& store, api::Transport& transport, Clock& clock, EngineOptions options)
    : store_(store),
      transport_(transport),
      clock_(clock),
      options_(std::move(options)),
      rng_(options_.seed ? options_.seed
                         : static_cast<std::uint64_t>(clock.WallNow().time_since_epoch().count())),
      limiter_(options_.rate, clock.Now()),
      breaker_(options_.breaker_threshold, options_.probe_base, options_.probe_max) {
  stats_.batch_id = options_.batch_id;
  stats_.configured_rpm = options_.rate.requests_per_minute;
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

RunSummary Engine::Run(const ProgressSink& on_progress) {
  started_ = clock_.Now();
  auto counts = CountBatch(store_.connection(), store_.tables(), options_.batch_id);
  if (!counts.ok()) return {StopReason::kDatabase, counts.status().message(), stats_};
  stats_.total = counts->total;
  stats_.completed = counts->completed;
  stats_.failed = counts->failed;
  stats_.pending = counts->pending;
  stats_.submitted = counts->submitted;
  stats_.processing = counts->processing;
  stats_.retrying = counts->retrying;
  const std::int64_t finished_before = counts->finished();
  auto bytewise = IdsCompareBytewise(store_.connection(), store_.tables());
  if (!bytewise.ok()) return {StopReason::kDatabase, bytewise.status().message(), stats_};
  bytewise_ids_ = *bytewise;
  Publish(started_, on_progress, true);  // the live channel shows the batch from the start

  for (;;) {
    TimePoint now = clock_.Now();
    if (stop_requests_.load() > 0 && !stop_deadline_) {
      stop_deadline_ = AddSaturating(now, options_.shutdown_grace);
      stats_.state = "stopping";
      spdlog::info("batch {}: stopping; waiting up to {}s for in-flight jobs", options_.batch_id,
                   std::chrono::duration<double>(options_.shutdown_grace).count());
    }
    if (!db_error_.ok() || fatal_) break;
    if (stop_deadline_ && now >= *stop_deadline_) break;
    if (auto st = Admit(now); !st.ok()) {
      db_error_ = st;
      break;
    }
    if (Done()) break;
    const std::int64_t posts_before = stats_.requests_by_endpoint[0];
    Dispatch(now);
    const bool posted = stats_.requests_by_endpoint[0] != posts_before;
    std::vector<api::Response> responses = transport_.Poll(PollWait(now));
    if (posted) CrashPoint("after_post_sent");
    for (const api::Response& r : responses) OnResponse(r, clock_.Now());
    now = clock_.Now();
    if (auto st = Flush(now, false); !st.ok()) db_error_ = st;
    stats_.entries_per_second =
        static_cast<double>(stats_.finished() - finished_before) /
        std::max(1e-9, std::chrono::duration<double>(now - started_).count());
    Publish(now, on_progress, false);
  }
  if (auto st = Flush(clock_.Now(), true); !st.ok() && db_error_.ok()) db_error_ = st;
  RunSummary summary;
  FinishBatch(summary);
  Publish(clock_.Now(), on_progress, true);
  summary.final = stats_;
  return summary;
}

bool Engine::Done() const {
  if (!jobs_.empty() || transport_.in_flight() > 0) {
    // While stopping, jobs that still wait to be submitted do not hold us up.
    if (!stop_deadline_) return false;
    for (const auto& [tag, job] : jobs_) {
      if (job.in_request || job.awaiting_commit || job.next != Next::kSubmit) return false;
    }
    return true;
  }
  return backlog_.empty() && (cursor_.pass >= 2 || stop_deadline_);
}

Status Engine::Admit(TimePoint now) {
  if (stop_deadline_) return Status::Ok();
  while (jobs_.size() < static_cast<std::size_t>(options_.max_concurrent)) {
    if (backlog_.empty()) {
      if (cursor_.pass >= 2) break;
      CNAKE_ASSIGN_OR_RETURN(
          auto page, LoadUnfinished(store_, options_.batch_id, cursor_, options_.page_size));
      // Entries already admitted (a page boundary race cannot happen: ids only grow) are skipped.
      for (Entry& e : page) backlog_.push_back(std::move(e));
      if (backlog_.empty()) break;
    }
    Job job;
    job.entry = std::move(backlog_.front());
    backlog_.pop_front();
    job.admitted = now;
    job.retries = std::max(0, job.entry.attempts - 1);
    job.written_state = job.entry.processing_status;
    job.next = job.entry.request_id ? Next::kStatus : Next::kSubmit;
    const std::uint64_t tag = next_tag_++;
    Job& placed = jobs_.emplace(tag, std::move(job)).first->second;
    Schedule(tag, placed, now);
  }
  stats_.queued = static_cast<std::int64_t>(backlog_.size());
  return Status::Ok();
}

void Engine::Schedule(std::uint64_t tag, Job& job, TimePoint due) {
  job.due = due;
  timers_.push({due, tag});
}

void Engine::Dispatch(TimePoint now) {
  if (breaker_.ProbeDue(now) && !probe_in_flight_ && limiter_.TryAcquire(now)) SendProbe(now);
  while (!timers_.empty() && timers_.top().due <= now) {
    const Timer top = timers_.top();
    auto it = jobs_.find(top.tag);
    if (it == jobs_.end() || it->second.in_request || it->second.awaiting_commit ||
        it->second.due != top.due) {
      timers_.pop();  // stale
      continue;
    }
    Job& job = it->second;
    if (stop_deadline_ && job.next == Next::kSubmit) {
      timers_.pop();  // no new submissions while stopping
      continue;
    }
    if (job.entry.request_id == std::nullopt && job.next != Next::kSubmit) job.next = Next::kSubmit;
    if (!breaker_.AllowsDispatch() || !limiter_.TryAcquire(now)) break;
    timers_.pop();
    Send(top.tag, job, now);
  }
}

void Engine::Send(std::uint64_t tag, Job& job, TimePoint now) {
  api::Request req;
  req.tag = tag;
  if (job.next == Next::kSubmit) {
    api::GenerateInput in;
    std::string tags = job.entry.tags_json.value_or("");
    in.prompt = ExpandPromptTemplate(options_.prompt_template,
                                     {{"description", job.entry.description.value_or("")},
                                      {"id", job.entry.id},
                                      {"tags", tags}});
    in.source_code = job.entry.code;
    in.source_id = job.entry.id;
    in.batch_id = options_.batch_id;
    // The body must be identical for every retry of one submission: the same
    // Idempotency-Key with a different body is a 422 (docs/api.md). So nothing
    // that changes between retries (like the attempt number) goes in here.
    in.extra_metadata = {{"submission", job.entry.submission_seq}};
    req.endpoint = Endpoint::kSubmit;
    req.path = "/generate";
    req.body = api::BuildGenerateBody(in);
    req.idempotency_key = IdempotencyKey(options_.batch_id, job.entry.id, job.entry.submission_seq);
  } else {
    const std::string& id = *job.entry.request_id;
    req.endpoint = job.next == Next::kStatus ? Endpoint::kStatus : Endpoint::kResult;
    req.path = job.next == Next::kStatus ? api::StatusPath(id) : api::ResultPath(id);
  }
  job.in_request = true;
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
  req.path = "/health";
  ++stats_.requests;
  ++stats_.requests_by_endpoint[static_cast<int>(Endpoint::kHealth)];
  transport_.Start(req);
}

Duration Engine::PollWait(TimePoint now) const {
  Duration wait = std::chrono::milliseconds(500);  // keeps progress and stop checks lively
  if (!timers_.empty()) {
    Duration until = timers_.top().due - now;
    if (timers_.top().due <= now) until = limiter_.TimeUntilAvailable(now);
    if (!breaker_.AllowsDispatch()) until = breaker_.TimeUntilProbe(now);
    wait = std::min(wait, std::max(until, Duration::zero()));
  }
  if (!pending_.empty()) {
    wait =
        std::min(wait, std::max(Duration::zero(), first_pending_ + options_.flush_interval - now));
  }
  if (!awaiting_commit_.empty()) {
    wait = std::min(wait, std::max(Duration::zero(), last_commit_end_ + last_commit_cost_ - now));
  }
  if (stop_deadline_) wait = std::min(wait, std::max(Duration::zero(), *stop_deadline_ - now));
  return std::max(wait, Duration::zero());
}

Status Engine::Flush(TimePoint now, bool force) {
  if (pending_.empty()) return Status::Ok();
  // Submissions wait for their commit before their job is polled, so they
  // are committed soon, but not before the database has been idle for as long
  // as the last commit took: at high rates one commit then carries every
  // answer that came in meanwhile, instead of one commit per loop turn (the
  // fixed cost of a commit, a few ms, dominated the client's CPU). With a
  // slow API this adds nothing: commits are rare and cheap.
  const bool submissions_due =
      !awaiting_commit_.empty() && now - last_commit_end_ >= last_commit_cost_;
  const bool due = force || submissions_due || pending_.size() >= options_.flush_count ||
                   now - first_pending_ >= options_.flush_interval;
  if (!due) return Status::Ok();
  CNAKE_RETURN_IF_ERROR(CommitGroup(store_.connection(), store_.tables(), options_.batch_id,
                                    pending_, bytewise_ids_));
  last_commit_end_ = clock_.Now();
  last_commit_cost_ = last_commit_end_ - now;
  spdlog::debug("batch={} commit: {} submissions, {} completions, {} failures in {:.1f} ms",
                options_.batch_id, pending_.submitted.size(), pending_.completions.size(),
                pending_.failures.size(),
                std::chrono::duration<double, std::milli>(last_commit_cost_).count());
  pending_ = WriteGroup();
  // Request ids are durable now: start polling those jobs.
  for (std::uint64_t tag : awaiting_commit_) {
    auto it = jobs_.find(tag);
    if (it == jobs_.end()) continue;
    it->second.awaiting_commit = false;
    it->second.next = Next::kStatus;
    Schedule(tag, it->second,
             AddSaturating(
                 now, scheduler::NextPollDelay(0, std::nullopt, options_.poll, rng_.Uniform01())));
  }
  awaiting_commit_.clear();
  return Status::Ok();
}

void Engine::Publish(TimePoint now, const ProgressSink& on_progress, bool force) {
  if (!force && now - last_publish_ < options_.publish_interval) return;
  last_publish_ = now;
  stats_.jobs_in_flight = 0;
  // A job is at the API from its POST on: against a synchronous server it
  // never holds a request_id, yet its POST is the whole job.
  for (const auto& [tag, job] : jobs_) {
    stats_.jobs_in_flight += job.entry.request_id || job.in_request ? 1 : 0;
  }
  stats_.requests_in_flight = static_cast<std::int64_t>(transport_.in_flight());
  stats_.current_rpm = limiter_.current_rpm();
  stats_.throttled = limiter_.throttles();
  stats_.breaker_state = scheduler::CircuitStateName(breaker_.state());
  stats_.rate_wait_seconds = std::chrono::duration<double>(limiter_.total_paused(now)).count();
  stats_.breaker_open_seconds =
      std::chrono::duration<double>(breaker_.total_open_time(now)).count();
  stats_.elapsed_seconds = std::chrono::duration<double>(now - started_).count();
  {
    std::lock_guard lock(published_mu_);
    published_ = stats_;
  }
  if (on_progress) on_progress(stats_);
}

void Engine::FinishBatch(RunSummary& summary) {
  BatchUpdate update;
  if (!db_error_.ok()) {
    summary.reason = StopReason::kDatabase;
    summary.message = db_error_.message();
    update.status = "interrupted";
    update.stop_reason = "database error: " + db_error_.message();
  } else if (fatal_) {
    summary.reason = *fatal_;
    summary.message = fatal_message_;
    update.status = "failed";
    update.stop_reason = fatal_message_;
  } else if (stats_.finished() >= stats_.total) {
    summary.reason = StopReason::kFinished;
    update.status = "completed";
    update.set_completed_at = true;
  } else if (stop_requests_.load() > 0) {
    summary.reason = stop_reason_.load();
    update.status = summary.reason == StopReason::kCancelled ? "cancelled" : "interrupted";
    update.stop_reason = summary.reason == StopReason::kCancelled ? "cancel requested" : "signal";
  } else {
    summary.reason = StopReason::kInterrupted;
    update.status = "interrupted";
  }
  stats_.state = "finished";
  const TimePoint now = clock_.Now();
  update.add_retry_after_wait_seconds =
      std::chrono::duration<double>(limiter_.total_paused(now)).count();
  update.add_breaker_open_seconds =
      std::chrono::duration<double>(breaker_.total_open_time(now)).count();
  Status st = store_.UpdateBatchStatus(options_.batch_id, update);
  if (!st.ok() && summary.reason != StopReason::kDatabase) {
    summary.reason = StopReason::kDatabase;
    summary.message = st.message();
  }
}

void Engine::NoteError(const std::string& text) {
  stats_.recent_errors.push_back(text);
  while (stats_.recent_errors.size() > Snapshot::kRecentErrors) stats_.recent_errors.pop_front();
}

}  // namespace cnake::engine
