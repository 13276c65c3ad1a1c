#include "scheduler/poll_policy.h"

#include <algorithm>
#include <cmath>

#include "scheduler/backoff.h"

namespace cnake::scheduler {

Duration NextPollDelay(int polls_so_far, std::optional<double> eta_seconds,
                       const PollPolicy& policy, double uniform01) {
  // All arithmetic in double seconds: growth^polls overflows to inf, never UB,
  // and min() brings it back before converting to an integer duration.
  const double initial = std::max(0.0, std::chrono::duration<double>(policy.initial).count());
  const double max = std::max(initial, std::chrono::duration<double>(policy.max).count());
  const double growth = std::isnan(policy.growth) ? 1.0 : std::clamp(policy.growth, 1.0, 16.0);
  const double jitter = std::isnan(policy.jitter) ? 0.0 : std::clamp(policy.jitter, 0.0, 1.0);

  const double u = ClampUnit(uniform01);
  double seconds;
  if (eta_seconds && std::isfinite(*eta_seconds) && *eta_seconds >= 0) {
    const double floor = std::chrono::duration<double>(kMinEtaWait).count();
    const double base = std::clamp(*eta_seconds, floor, std::max(floor, max));
    const double spread = std::chrono::duration<double>(kMaxEtaSpread).count();
    seconds = base + std::min(jitter * base, spread) * u;
  } else {
    const double base = std::min(max, initial * std::pow(growth, std::max(polls_so_far, 0)));
    seconds = base * (1.0 + jitter * (2.0 * u - 1.0));
  }
  seconds = std::min(max, seconds);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

Duration NextLearnedCheckDelay(Duration elapsed, int doublings, double step,
                               const PollPolicy& policy, double uniform01) {
  const double since = std::max(0.0, std::chrono::duration<double>(elapsed).count());
  const double max = std::max(0.0, std::chrono::duration<double>(policy.max).count());
  const double jitter = std::isnan(policy.jitter) ? 0.0 : std::clamp(policy.jitter, 0.0, 1.0);
  const double share = std::min(1.0, (std::isnan(step) ? 1.0 : std::clamp(step, 0.0, 1.0)) *
                                         std::pow(2.0, std::clamp(doublings, 0, 32)));
  double seconds = since * share * (1.0 + jitter / 2 * (2.0 * ClampUnit(uniform01) - 1.0));
  seconds = std::clamp(seconds, std::chrono::duration<double>(kMinEtaWait).count(),
                       std::max(max, std::chrono::duration<double>(kMinEtaWait).count()));
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace cnake::scheduler
