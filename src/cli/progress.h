// Progress output for `process` and `resume`, on stderr:
//   tty   a live line redrawn in place, cut to the terminal's width; log
//         records erase it first (cli/terminal_line.h) (default when stderr
//         is a terminal)
//   log   a line every few seconds (default otherwise)
//   json  NDJSON events, one per update
//   none  nothing (--quiet); the summary is printed by the caller
// Respects NO_COLOR. Not thread-safe: called on the engine thread.
#pragma once

#include <cstdint>
#include <deque>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>

#include "engine/snapshot.h"
#include "util/clock.h"

namespace cnake::cli {

enum class ProgressMode { kTty, kLog, kJson, kNone };

// Chooses tty or log from whether stderr is a terminal.
ProgressMode DefaultProgressMode();
bool ParseProgressMode(const std::string& text, ProgressMode& mode);

// The ETA from a smoothed rate: entries finished over the last kWindow (or
// since the first sample, when that is shorter), once kWarmUp has passed and
// something finished. A first-second rate, or a rate from before a pause,
// does not set it. Unknown (nullopt) while stopping or while the circuit
// breaker is open: no rate then says anything about the rest.
class EtaEstimator {
 public:
  static constexpr Duration kWindow = std::chrono::seconds(30);
  static constexpr Duration kWarmUp = std::chrono::seconds(3);

  // Seconds left after this sample, or nullopt while unknown.
  std::optional<double> Update(TimePoint now, const engine::Snapshot& s);

 private:
  std::deque<std::pair<TimePoint, std::int64_t>> samples_;  // (time, finished)
};

class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& out, ProgressMode mode, bool color, Clock& clock);
  void Update(const engine::Snapshot& s);
  // Ends the live line (tty) so the summary starts on a fresh line.
  void Finish();

 private:
  std::ostream& out_;
  ProgressMode mode_;
  bool color_;
  Clock& clock_;
  TimePoint last_{};
  bool drew_ = false;
  EtaEstimator eta_;
};

// The one-line progress text, at most `width` visible columns (0: no limit):
// the least important parts are left out first. `eta_seconds`: from an
// EtaEstimator; nullopt shows none.
std::string ProgressLine(const engine::Snapshot& s, bool color, std::optional<double> eta_seconds,
                         int width = 0);
// The NDJSON event for a snapshot.
std::string ProgressJson(const engine::Snapshot& s);
// "1h02m", "3m05s", "42s".
std::string FormatDuration(double seconds);

}  // namespace cnake::cli
