// The one definition of a set of request latencies' quantiles and histogram
// (docs/reports.md, "Figures"), shared by every store so that the run
// summary, `status` and the reports print the same numbers.
//
// A quantile is SQL's quantile_cont: the value at position q * (n - 1) of the
// latencies sorted ascending, interpolated linearly between the two closest
// ranks. A store supplies only "the k-th smallest latency"; how it finds it
// (a sorted vector, a sequence of bounded scans) is its own business.
//
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "util/status.h"

namespace cnake {

// The quantiles LatencyRow carries: p50, p90, p99.
inline constexpr std::array<double, 3> kLatencyQuantiles = {0.5, 0.9, 0.99};

// The q-quantile (0..1) of `n` > 0 latencies, where kth(k) returns the k-th
// smallest (0-based, k < n). Calls kth at most twice.
Result<double> QuantileCont(std::int64_t n, double q,
                            const std::function<Result<double>(std::int64_t)>& kth);

// The histogram bucket of `ms` for ascending `bounds_ms`: bucket i holds
// bounds[i-1] < ms <= bounds[i]; bounds.size() is the bucket above them all.
std::size_t HistogramBucket(const std::vector<double>& bounds_ms, double ms);

}  // namespace cnake
