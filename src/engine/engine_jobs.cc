// Engine: the one place a job changes phase (engine/job.h), with the
// bookkeeping that goes with it: per-phase counts, the entry's written
// state and the live per-state counts.
#include "engine/engine.h"

namespace cnake::engine {

std::string_view JobPhaseName(JobPhase phase) {
  switch (phase) {
    case JobPhase::kToSubmit:
      return "to_submit";
    case JobPhase::kSubmitting:
      return "submitting";
    case JobPhase::kCommitting:
      return "committing";
    case JobPhase::kToPoll:
      return "to_poll";
    case JobPhase::kPolling:
      return "polling";
    case JobPhase::kToFetch:
      return "to_fetch";
    case JobPhase::kFetching:
      return "fetching";
    case JobPhase::kRecording:
      return "recording";
  }
  return "?";
}

void Engine::Transition(Job& job, JobPhase phase, std::optional<EntryState> write,
                        bool clear_request_id) {
  --phase_counts_[static_cast<std::size_t>(job.phase)];
  ++phase_counts_[static_cast<std::size_t>(phase)];
  job.phase = phase;
  if (!write) return;
  StateChange c;
  c.entry_id = job.entry.id;
  c.state = *write;
  c.attempts = job.retries + 1;
  c.clear_request_id = clear_request_id;
  c.submission_seq = job.entry.submission_seq;
  NotePending(clock_.Now());
  pending_.state_changes.push_back(std::move(c));
  NoteWritten(job, *write);
}

void Engine::NoteWritten(Job& job, EntryState state) {
  MoveCount(job.written, state);
  job.written = state;
}

void Engine::Schedule(std::uint64_t tag, Job& job, JobPhase phase, TimePoint due) {
  Transition(job, phase);
  job.due = due;
  timers_.push({due, tag});
}

void Engine::Retire(std::uint64_t tag, Job& job) {
  --phase_counts_[static_cast<std::size_t>(job.phase)];
  MoveCount(job.written, std::nullopt);
  jobs_.erase(tag);
}

void Engine::MoveCount(std::optional<EntryState> from, std::optional<EntryState> to) {
  auto slot = [&](std::optional<EntryState> s) -> std::int64_t* {
    if (!s) return nullptr;
    switch (*s) {
      case EntryState::kPending:
        return &stats_.pending;
      case EntryState::kSubmitted:
        return &stats_.submitted;
      case EntryState::kProcessing:
        return &stats_.processing;
      case EntryState::kRetrying:
        return &stats_.retrying;
      case EntryState::kCompleted:
      case EntryState::kFailed:
        return nullptr;  // final entries are counted by Complete and Fail
    }
    return nullptr;
  };
  if (auto* f = slot(from)) --*f;
  if (auto* t = slot(to)) ++*t;
}

}  // namespace cnake::engine
