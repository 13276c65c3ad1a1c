#include "scheduler/first_check.h"

#include <algorithm>
#include <cmath>

namespace cnake::scheduler {

void FirstCheckHistory::Record(bool done) {
  done_[count_ % kWindow] = done;
  ++count_;
}

bool FirstCheckHistory::PreferResults() const {
  const std::size_t n = std::min(count_, kWindow);
  if (n < kMinSamples) return false;
  const auto done = static_cast<std::size_t>(std::count(done_.begin(), done_.begin() + n, true));
  return 2 * done > n;
}

void FirstCheckHistory::RecordExpectedFinish(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  finishes_[finish_count_ % kWindow] = seconds;
  ++finish_count_;
}

std::optional<double> FirstCheckHistory::SteadyFinish(double max_spread) const {
  const std::size_t n = std::min(finish_count_, kWindow);
  if (n < kMinSamples) return std::nullopt;
  std::array<double, kWindow> sorted = finishes_;
  std::sort(sorted.begin(), sorted.begin() + n);
  const double p10 = sorted[(n + 9) / 10 - 1];      // ceil(0.1 n) - 1
  const double p90 = sorted[(n * 9 + 9) / 10 - 1];  // ceil(0.9 n) - 1
  if (p90 > max_spread * p10) return std::nullopt;
  return p90;
}

bool FirstCheckHistory::TakeRefresh() {
  return steady_jobs_++ % kRefreshEvery == kRefreshEvery - 1;
}

}  // namespace cnake::scheduler
