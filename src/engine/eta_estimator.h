// The ETA of a run, from a smoothed rate: entries finished over the last
// kWindow (or since the first sample, when that is shorter), once kWarmUp of
// the run has passed and something finished in the window. A first-second
// rate, or one from before a pause, does not set it. Unknown while stopping
// or while the circuit breaker is not closed: no rate then says anything
// about the rest. One definition for the progress line, the live status and
// the NDJSON events. Pure: time is passed in; not thread-safe (the engine's
// loop owns it).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "engine/snapshot.h"
#include "util/clock.h"

namespace cnake::engine {

class EtaEstimator {
 public:
  static constexpr Duration kWindow = std::chrono::seconds(30);
  static constexpr Duration kWarmUp = std::chrono::seconds(3);

  // Seconds left after this sample of `s` (its counts, phase, breaker and
  // elapsed time), or nullopt while unknown.
  std::optional<double> Update(TimePoint now, const Snapshot& s);

 private:
  std::deque<std::pair<TimePoint, std::int64_t>> samples_;  // (time, finished)
};

}  // namespace cnake::engine
