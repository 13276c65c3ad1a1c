#include "cli/terminal_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

namespace cnake::cli {

TerminalLine& TerminalLine::Stderr() {
  static TerminalLine line;
  return line;
}

void TerminalLine::Draw(std::ostream& out, const std::string& line) {
  std::lock_guard lock(mu_);
  out << "\r\033[K" << line << std::flush;
  drawn_ = true;
}

void TerminalLine::Finish(std::ostream& out) {
  std::lock_guard lock(mu_);
  if (drawn_) out << "\n" << std::flush;
  drawn_ = false;
}

std::unique_lock<std::mutex> TerminalLine::ClearForRecord(std::FILE* f) {
  std::unique_lock lock(mu_);
  if (drawn_) {
    std::fputs("\r\033[K", f);
    drawn_ = false;
  }
  return lock;
}

int TerminalWidth(int fallback) {
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return fallback;
}

}  // namespace cnake::cli
