#include "engine/eta_estimator.h"

namespace cnake::engine {

std::optional<double> EtaEstimator::Update(TimePoint now, const Snapshot& s) {
  samples_.emplace_back(now, s.finished());
  while (samples_.size() > 2 && samples_[1].first <= now - kWindow) samples_.pop_front();
  const std::int64_t left = s.total - s.finished();
  if (left <= 0) return 0.0;
  if (s.phase == RunPhase::kStopping || s.breaker_state != "closed") return std::nullopt;
  const auto& [since, finished_then] = samples_.front();
  const double seconds = std::chrono::duration<double>(now - since).count();
  const std::int64_t finished = s.finished() - finished_then;
  if (s.elapsed_seconds < std::chrono::duration<double>(kWarmUp).count() || finished <= 0 ||
      seconds <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(left) * seconds / static_cast<double>(finished);
}

}  // namespace cnake::engine
