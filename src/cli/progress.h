// Progress output for `process` and `resume`, on stderr:
//   tty   a live line redrawn in place, cut to the terminal's width; log
//         records erase it first (cli/terminal_line.h) (default when stderr
//         is a terminal)
//   log   a line every few seconds (default otherwise)
//   json  NDJSON events, one per update
//   none  nothing (--quiet); the summary is printed by the caller
// Respects NO_COLOR. Not thread-safe: called on the engine thread.
#pragma once

#include <iosfwd>
#include <string>

#include "engine/snapshot.h"
#include "util/clock.h"

namespace cnake::cli {

enum class ProgressMode { kTty, kLog, kJson, kNone };

// Chooses tty or log from whether stderr is a terminal.
ProgressMode DefaultProgressMode();
bool ParseProgressMode(const std::string& text, ProgressMode& mode);

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
};

// The one-line progress text, at most `width` visible columns (0: no limit):
// the least important parts are left out first. No ETA while the snapshot
// has none.
std::string ProgressLine(const engine::Snapshot& s, bool color, int width = 0);
// The run summary's line on time spent waiting for the request-rate limit
// (empty under a second). When the API answered 429s, the limit was the one
// the client learned from them, not --rpm, and the line says so.
std::string RateLimitedSummary(const engine::Snapshot& s);
// The NDJSON event for a snapshot.
std::string ProgressJson(const engine::Snapshot& s);
// "1h02m", "3m05s", "42s".
std::string FormatDuration(double seconds);

}  // namespace cnake::cli
