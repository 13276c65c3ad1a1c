// When to poll a submitted job's status next.
#pragma once

#include <optional>

#include "util/clock.h"

namespace cnake::scheduler {

struct PollPolicy {
  Duration initial = std::chrono::seconds(1);  // the first poll's base delay
  Duration max = std::chrono::seconds(30);
  double growth = 1.5;  // base delay factor per poll; clamped to [1, 16]
  double jitter = 0.2;  // relative, ± around the base; clamped to [0, 1]
};

// Delay before the next status poll of one job.
//
// Base delay: if the server's `eta_seconds` is finite and > 0, it is the best
// guess, so base = clamp(eta, initial, max). Otherwise (no eta, eta <= 0
// because the job is overdue, NaN, inf) base = min(max, initial * growth^polls_so_far).
// The result is base * (1 + jitter * (2 * uniform01 - 1)), capped at max: it
// lies in [base * (1 - jitter), min(max, base * (1 + jitter))].
//
// The caller clips the result to the job's deadline (deadline.h).
Duration NextPollDelay(int polls_so_far, std::optional<double> eta_seconds,
                       const PollPolicy& policy, double uniform01);

}  // namespace cnake::scheduler
