#include "scheduler/first_check.h"

#include <algorithm>

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

}  // namespace cnake::scheduler
