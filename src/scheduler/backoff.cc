#include "scheduler/backoff.h"

#include <algorithm>
#include <cmath>

namespace cnake::scheduler {

double ClampUnit(double uniform01) {
  if (!(uniform01 > 0.0)) return 0.0;  // also catches NaN
  return std::min(uniform01, 1.0);
}

Duration BackoffCap(Duration base, Duration max_delay, int exponent) {
  base = std::max(base, Duration::zero());
  max_delay = std::max(max_delay, Duration::zero());
  if (base == Duration::zero()) return Duration::zero();
  exponent = std::max(exponent, 0);
  // base * 2^exponent > max_delay  <=>  base > max_delay >> exponent. Shifting
  // the bound down instead of the base up cannot overflow.
  if (exponent >= 62 || base.count() > (max_delay.count() >> exponent)) return max_delay;
  return Duration(base.count() << exponent);
}

Duration ScaleDuration(Duration cap, double uniform01) {
  cap = std::max(cap, Duration::zero());
  const double scaled = std::round(static_cast<double>(cap.count()) * ClampUnit(uniform01));
  // Rounding of a value within a double's precision of cap can exceed cap.
  return std::min(cap, Duration(static_cast<Duration::rep>(std::min(scaled, 9.2e18))));
}

}  // namespace cnake::scheduler
