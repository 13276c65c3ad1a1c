#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>

namespace cnake::cli {
namespace {

constexpr auto kLogInterval = std::chrono::seconds(5);
constexpr auto kTtyInterval = std::chrono::milliseconds(200);

std::string Eta(double seconds) {
  if (seconds < 0) return "--";
  auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

ProgressMode DefaultProgressMode() {
  return isatty(STDERR_FILENO) ? ProgressMode::kTty : ProgressMode::kLog;
}

bool ParseProgressMode(const std::string& text, ProgressMode& mode) {
  if (text == "tty")
    mode = ProgressMode::kTty;
  else if (text == "log")
    mode = ProgressMode::kLog;
  else if (text == "json")
    mode = ProgressMode::kJson;
  else if (text == "none")
    mode = ProgressMode::kNone;
  else
    return false;
  return true;
}

std::string ProgressLine(const engine::Snapshot& s, bool color) {
  const char* green = color ? "\033[32m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* yellow = color ? "\033[33m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string line = fmt::format(
      "{}/{} done | {}ok {}{} / {}failed {}{} / {}retrying {}{} | {:.1f}/s | ETA {} | {:.0f} rpm | "
      "{} in flight",
      s.finished(), s.total, green, s.completed, reset, red, s.failed, reset, yellow, s.retrying,
      reset, s.entries_per_second, Eta(s.eta_seconds()), s.current_rpm, s.jobs_in_flight);
  if (s.breaker_state != "closed") line += fmt::format(" | API down? breaker {}", s.breaker_state);
  if (s.phase == engine::RunPhase::kStopping) line += " | stopping";
  return line;
}

std::string ProgressJson(const engine::Snapshot& s) {
  nlohmann::json j = {{"event", "progress"},
                      {"batch_id", s.batch_id},
                      {"state", engine::RunPhaseName(s.phase)},
                      {"total", s.total},
                      {"jobs_in_flight", s.jobs_in_flight},
                      {"entries_per_second", s.entries_per_second},
                      {"eta_seconds", s.eta_seconds()},
                      {"current_rpm", s.current_rpm},
                      {"breaker", s.breaker_state},
                      {"elapsed_seconds", s.elapsed_seconds}};
  for (EntryState state : kAllEntryStates) j[std::string(EntryStateName(state))] = s.Count(state);
  return j.dump();
}

ProgressPrinter::ProgressPrinter(std::ostream& out, ProgressMode mode, bool color, Clock& clock)
    : out_(out), mode_(mode), color_(color), clock_(clock) {}

void ProgressPrinter::Update(const engine::Snapshot& s) {
  const TimePoint now = clock_.Now();
  const bool final = s.phase == engine::RunPhase::kFinished;
  switch (mode_) {
    case ProgressMode::kNone:
      return;
    case ProgressMode::kJson:
      out_ << ProgressJson(s) << "\n" << std::flush;
      return;
    case ProgressMode::kTty:
      if (!final && drew_ && now - last_ < kTtyInterval) return;
      out_ << "\r\033[K" << ProgressLine(s, color_) << std::flush;
      drew_ = true;
      break;
    case ProgressMode::kLog:
      if (!final && drew_ && now - last_ < kLogInterval) return;
      out_ << ProgressLine(s, false) << "\n" << std::flush;
      drew_ = true;
      break;
  }
  last_ = now;
}

void ProgressPrinter::Finish() {
  if (mode_ == ProgressMode::kTty && drew_) out_ << "\n" << std::flush;
}

}  // namespace cnake::cli
