#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "cli/terminal_line.h"

namespace cnake::cli {
namespace {

constexpr auto kLogInterval = std::chrono::seconds(5);
constexpr auto kTtyInterval = std::chrono::milliseconds(200);

// One part of the line. Parts with a higher `drop_order` are left out first
// when the line is too wide; 0 is never left out.
struct Part {
  std::string text;
  std::size_t columns;  // visible: text without its colour codes
  int drop_order;
};

Part Plain(std::string text, int drop_order) {
  const std::size_t columns = text.size();
  return {std::move(text), columns, drop_order};
}

std::vector<Part> Parts(const engine::Snapshot& s, bool color) {
  const char* green = color ? "\033[32m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* yellow = color ? "\033[33m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::vector<Part> parts;
  parts.push_back(Plain(fmt::format("{}/{} done", s.finished(), s.total), 0));
  const std::string states =
      fmt::format("{} ok / {} failed / {} retrying", s.completed, s.failed, s.retrying);
  parts.push_back({fmt::format("{}{} ok{} / {}{} failed{} / {}{} retrying{}", green, s.completed,
                               reset, red, s.failed, reset, yellow, s.retrying, reset),
                   states.size(), 1});
  if (s.phase == engine::RunPhase::kStopping) parts.push_back(Plain("stopping", 0));
  if (s.breaker_state != "closed") {
    parts.push_back(Plain(fmt::format("API down? breaker {}", s.breaker_state), 0));
  }
  if (s.rate_limited) {
    parts.push_back(Plain(fmt::format("rate-limited: {:.0f} rpm", s.current_rpm), 0));
  }
  if (s.eta_seconds) parts.push_back(Plain("ETA " + FormatDuration(*s.eta_seconds), 2));
  parts.push_back(Plain("elapsed " + FormatDuration(s.elapsed_seconds), 3));
  parts.push_back(Plain(fmt::format("{:.1f}/s", s.entries_per_second), 4));
  parts.push_back(Plain(fmt::format("{} in flight", s.jobs_in_flight), 5));
  parts.push_back(Plain(fmt::format("{} retries", s.retries), 6));
  if (!s.rate_limited) parts.push_back(Plain(fmt::format("{:.0f} rpm", s.current_rpm), 7));
  return parts;
}

constexpr std::size_t kSeparator = 3;  // " | "

std::size_t Columns(const std::vector<Part>& parts) {
  std::size_t n = 0;
  for (const Part& p : parts) n += p.columns;
  return parts.empty() ? 0 : n + kSeparator * (parts.size() - 1);
}

}  // namespace

std::string FormatDuration(double seconds) {
  auto s = static_cast<long>(std::max(0.0, seconds) + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

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

std::string ProgressLine(const engine::Snapshot& s, bool color, int width) {
  std::vector<Part> parts = Parts(s, color);
  while (width > 0 && Columns(parts) > static_cast<std::size_t>(width)) {
    auto last = std::max_element(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
      return a.drop_order < b.drop_order;
    });
    if (last == parts.end() || last->drop_order == 0) break;
    parts.erase(last);
  }
  std::string line;
  for (const Part& p : parts) line += (line.empty() ? "" : " | ") + p.text;
  if (width > 0 && Columns(parts) > static_cast<std::size_t>(width)) {
    // Only the parts that are never left out remain: plain text, cut.
    line.clear();
    for (const Part& p : parts) {
      if (p.drop_order == 0) line += (line.empty() ? "" : " | ") + p.text;
    }
    line.resize(std::min(line.size(), static_cast<std::size_t>(width)));
  }
  return line;
}

std::string RateLimitedSummary(const engine::Snapshot& s) {
  if (s.rate_limited_seconds < 1 || s.elapsed_seconds <= 0) return "";
  const double share = 100 * std::min(1.0, s.rate_limited_seconds / s.elapsed_seconds);
  if (s.throttled > 0 && s.current_rpm < s.configured_rpm) {
    return fmt::format(
        "rate-limited {:.0f}% of the run ({:.0f} s waiting): the API answered 429 to {} "
        "requests, so the client kept to about {:.0f} requests/min of --rpm {:.0f}",
        share, s.rate_limited_seconds, s.throttled, s.current_rpm, s.configured_rpm);
  }
  return fmt::format(
      "rate-limited {:.0f}% of the run ({:.0f} s waiting for the {:.0f} requests/min limit); "
      "raise --rpm if the API allows more",
      share, s.rate_limited_seconds, s.configured_rpm);
}

std::string ProgressJson(const engine::Snapshot& s) {
  nlohmann::json j = {{"event", "progress"},
                      {"batch_id", s.batch_id},
                      {"state", engine::RunPhaseName(s.phase)},
                      {"total", s.total},
                      {"jobs_in_flight", s.jobs_in_flight},
                      {"entries_per_second", s.entries_per_second},
                      {"eta_seconds", s.eta_seconds.value_or(-1)},  // -1: unknown
                      {"current_rpm", s.current_rpm},
                      {"rate_limited", s.rate_limited},
                      {"retries", s.retries},
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
      // One column short of the width: a line that fills it would wrap on
      // some terminals, and the next redraw would start a line too low.
      TerminalLine::Stderr().Draw(out_, ProgressLine(s, color_, TerminalWidth() - 1));
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
  if (mode_ == ProgressMode::kTty && drew_) TerminalLine::Stderr().Finish(out_);
}

}  // namespace cnake::cli
