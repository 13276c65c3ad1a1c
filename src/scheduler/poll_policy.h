// When to poll a submitted job's status next.
#pragma once

#include <optional>

#include "util/clock.h"

namespace cnake::scheduler {

struct PollPolicy {
  // The first check of a job the server gave no eta for, counted from its
  // POST answer; then the delay grows by `growth` per check up to `max`.
  Duration initial = std::chrono::milliseconds(25);
  Duration max = std::chrono::seconds(30);
  double growth = 2;    // base delay factor per poll; clamped to [1, 16]
  double jitter = 0.1;  // relative; clamped to [0, 1]
};

// Never wait less than this for an eta: an eta of 0 on an unfinished job
// must not turn the loop into a busy poll.
inline constexpr Duration kMinEtaWait = std::chrono::milliseconds(1);
// The most a check after an eta is spread past it. The spread only keeps
// jobs that share an eta from checking at one instant; as a share of the
// eta (10% of 175 ms was 9 ms on average) it added to every job's latency:
// 0.92 instead of 0.96 of C/L at 200 ms jobs (docs/benchmarks.md).
inline constexpr Duration kMaxEtaSpread = std::chrono::milliseconds(5);

// The growth of the policy's schedule for a job whose server is known to give
// no etas, before the run has learned when jobs finish: the first jobs of
// such a run are seen done within about half their time past the finish,
// not all of it (a 200 ms job: 204 ms instead of 375 ms; the policy's
// growth of 2 stays for servers with etas, which need only the first check).
inline constexpr double kNoEtaGrowth = 1.5;

// Delay before the next check of one job.
//
// If the server's `eta_seconds` is finite and >= 0, it says when the job
// should be done, so the check goes then, never earlier: base =
// clamp(eta, kMinEtaWait, max), result base + min(jitter * base,
// kMaxEtaSpread) * uniform01.
// Otherwise (no eta, negative, NaN, inf) base = min(max, initial *
// growth^polls_so_far) and the result is base * (1 + jitter * (2 *
// uniform01 - 1)): it lies in [base * (1 - jitter), base * (1 + jitter)].
// Either way the result is capped at max.
//
// So a job of latency L costs about log_growth(L / initial) checks without
// an eta, and one check after its first eta.
//
// The caller clips the result to the job's deadline (deadline.h).
Duration NextPollDelay(int polls_so_far, std::optional<double> eta_seconds,
                       const PollPolicy& policy, double uniform01);

// Delay before the next check of a job whose server gives no eta, once the
// run has learned when jobs finish (FirstCheckHistory::LearnedStart()):
// `step` times `elapsed` (the time since its POST answer), doubled
// `doublings` times and at most `elapsed` itself (the policy's growth of 2).
// The engine doubles once per check made past the run's 90th percentile
// finish, so that a job far slower than the others costs logarithmically
// many checks, not linearly many. The result is jittered by
// +-`policy.jitter` / 2 of itself (jobs started together do not check
// together), at least kMinEtaWait, at most policy.max.
Duration NextLearnedCheckDelay(Duration elapsed, int doublings, double step,
                               const PollPolicy& policy, double uniform01);

}  // namespace cnake::scheduler
