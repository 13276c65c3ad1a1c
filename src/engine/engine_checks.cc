// Engine: when to check a submitted job, and what its checks teach the run
// about when jobs finish (scheduler/first_check.h, docs/engine.md).
#include <algorithm>
#include <cmath>

#include "engine/engine.h"
#include "scheduler/deadline.h"

namespace cnake::engine {

bool Engine::WithoutEtas(const Job& job) const {
  return !job.learning.eta_seen && !first_checks_.ServerGivesEta();
}

void Engine::NoteFirstCheck(Job& job, bool done) {
  if (job.first_check_seen) return;
  job.first_check_seen = true;
  first_checks_.Record(done);
}

void Engine::PlanFirstCheck(Job& job, std::optional<double> eta, TimePoint now) {
  job.accepted = now;
  job.learning = {};
  job.learning.eta_seen = eta.has_value();
  // With an eta the job should be done by then: ask for the result. Without
  // one, and when recent jobs took steady times, not before they were done
  // (scheduler/first_check.h); otherwise ask whatever recent jobs suggest.
  std::optional<double> expected = eta;
  job.first_check = eta || first_checks_.PreferResults() ? JobPhase::kToFetch : JobPhase::kToPoll;
  if (!expected) {
    expected = first_checks_.ServerGivesEta() ? PlanWithEtas(job) : PlanWithoutEtas(job);
  }
  job.first_check_due =
      AddSaturating(now, scheduler::NextPollDelay(0, expected, options_.poll, rng_.Uniform01()));
}

double Engine::SteadySpread() const {
  using scheduler::FirstCheckHistory;
  return near_rate_limit_ ? FirstCheckHistory::kSteadySpread : FirstCheckHistory::kVerySteadySpread;
}

// The server's status answers carry etas, this POST answer did not.
std::optional<double> Engine::PlanWithEtas(Job& job) {
  std::optional<double> expected = first_checks_.SteadyFinish(SteadySpread());
  if (expected && first_checks_.TakeRefresh()) {
    // Its status, halfway there, says how long jobs take now. Not earlier:
    // its request_id must be committed first, and a commit that can wait
    // takes more changes at once.
    *expected /= 2;
    job.first_check = JobPhase::kToPoll;
  } else if (expected) {
    job.first_check = JobPhase::kToFetch;
    job.first_check_seen = true;  // found done then, it says nothing of early checks
    job.learning.at_steady_finish = true;
  }
  return expected;
}

// The server gives no etas: what the run's own checks found stands in for
// them. Steady finishes: the result is asked for at the steady finish,
// except by one job in kRefreshEvery, which starts early and steps finely to
// learn whether jobs became faster. Spread-out finishes: every job starts
// early. Until kMinSamples jobs were seen done, the policy's growing
// schedule.
std::optional<double> Engine::PlanWithoutEtas(Job& job) {
  const std::optional<double> start = first_checks_.LearnedStart();
  if (!start) return std::nullopt;
  job.learning.learned_checks = true;
  const std::optional<double> steady = first_checks_.SteadyFinish(SteadySpread());
  if (steady && !first_checks_.TakeRefresh()) {
    job.first_check = JobPhase::kToFetch;
    job.first_check_seen = true;
    job.learning.at_steady_finish = true;
    return steady;
  }
  return start;
}

// Its finish lies after its last check that found it not done and by now:
// the middle of that span is recorded, or now if it was done at its first
// check (by then at the latest; that is how the run learns that jobs became
// faster), unless that first check came at the steady finish.
void Engine::LearnFromCheck(Job& job, bool done, TimePoint now) {
  if (!job.accepted || job.learning.finish_learned) return;
  const double since = std::chrono::duration<double>(now - *job.accepted).count();
  if (!done) {
    job.learning.last_unfinished = since;
    return;
  }
  job.learning.finish_learned = true;
  if (job.polls == 0) {
    if (!job.learning.at_steady_finish) first_checks_.RecordExpectedFinish(since);
    return;
  }
  first_checks_.RecordExpectedFinish((job.learning.last_unfinished + since) / 2);
}

Duration Engine::LearnedCheckDelay(Job& job, TimePoint now) {
  const Duration elapsed = now - *job.accepted;
  const Duration delay = scheduler::NextLearnedCheckDelay(
      elapsed, job.learning.checks_past_horizon, first_checks_.LearnedStep(near_rate_limit_),
      options_.poll, rng_.Uniform01());
  const auto horizon = first_checks_.LearnedHorizon();
  if (horizon && std::chrono::duration<double>(elapsed).count() > *horizon) {
    ++job.learning.checks_past_horizon;
  }
  return delay;
}

void Engine::ScheduleNextCheck(std::uint64_t tag, Job& job, std::optional<double> eta,
                               TimePoint now) {
  const scheduler::Deadline deadline =
      scheduler::Deadline::After(job.admitted, options_.job_timeout);
  if (deadline.Expired(now)) {
    return Fail(tag, job, "timeout", "no result within processing.job_timeout", 0, "status");
  }
  const bool usable_eta = eta && std::isfinite(*eta) && *eta >= 0;
  ++job.polls;
  const bool learned = job.learning.learned_checks && !job.learning.eta_seen;
  scheduler::PollPolicy policy = options_.poll;
  if (WithoutEtas(job)) {
    policy.growth = std::min(policy.growth, scheduler::kNoEtaGrowth);
  }
  Duration delay = learned ? LearnedCheckDelay(job, now)
                           : scheduler::NextPollDelay(job.polls, eta, policy, rng_.Uniform01());
  // An eta says when the job should be done: then its results are asked for
  // directly, and so are they when the run learned when jobs finish (the
  // check that finds the job done brings its result). Otherwise its status
  // is polled on the growing schedule.
  Schedule(tag, job, usable_eta || learned ? JobPhase::kToFetch : JobPhase::kToPoll,
           AddSaturating(now, deadline.Clip(now, delay)));
}

}  // namespace cnake::engine
