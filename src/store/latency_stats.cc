#include "store/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace cnake {

Result<double> QuantileCont(std::int64_t n, double q,
                            const std::function<Result<double>(std::int64_t)>& kth) {
  if (n <= 0) return InvalidArgument("no latencies");
  const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(n - 1);
  const auto lo = static_cast<std::int64_t>(std::floor(position));
  const auto hi = static_cast<std::int64_t>(std::ceil(position));
  CNAKE_ASSIGN_OR_RETURN(const double low, kth(lo));
  if (hi == lo) return low;
  CNAKE_ASSIGN_OR_RETURN(const double high, kth(hi));
  return low + (position - static_cast<double>(lo)) * (high - low);
}

std::size_t HistogramBucket(const std::vector<double>& bounds_ms, double ms) {
  return static_cast<std::size_t>(std::lower_bound(bounds_ms.begin(), bounds_ms.end(), ms) -
                                  bounds_ms.begin());
}

}  // namespace cnake
