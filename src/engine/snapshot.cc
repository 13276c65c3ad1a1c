#include "engine/snapshot.h"

namespace cnake::engine {

const char* RunPhaseName(RunPhase phase) {
  switch (phase) {
    case RunPhase::kRunning:
      return "running";
    case RunPhase::kStopping:
      return "stopping";
    case RunPhase::kFinished:
      return "finished";
  }
  return "running";
}

void LatencyHistogram::Add(double ms) {
  std::size_t i = 0;
  while (i < kBoundsMs.size() && ms > kBoundsMs[i]) ++i;
  ++counts[i];
  sum_ms += ms;
  ++count;
}

double LatencyHistogram::Quantile(double q) const {
  if (count == 0) return 0;
  const double rank = q * static_cast<double>(count);
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (static_cast<double>(seen) >= rank) {
      return i < kBoundsMs.size() ? kBoundsMs[i] : kBoundsMs.back();
    }
  }
  return kBoundsMs.back();
}

std::int64_t Snapshot::Count(EntryState state) const {
  switch (state) {
    case EntryState::kPending:
      return pending;
    case EntryState::kSubmitted:
      return submitted;
    case EntryState::kProcessing:
      return processing;
    case EntryState::kRetrying:
      return retrying;
    case EntryState::kCompleted:
      return completed;
    case EntryState::kFailed:
      return failed;
  }
  return 0;
}

}  // namespace cnake::engine
