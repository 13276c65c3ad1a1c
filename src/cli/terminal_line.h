// The live progress line at the bottom of a terminal, and the log records
// that must not land on it. The tty progress printer draws through Draw; the
// stderr log sink (cli/logging.cc) calls ClearForRecord before each record,
// so a record starts on a clean line and the printer draws the progress line
// again at its next update. Thread-safe: records come from any thread.
#pragma once

#include <cstdio>
#include <mutex>
#include <ostream>
#include <string>

namespace cnake::cli {

class TerminalLine {
 public:
  // The process's line on stderr.
  static TerminalLine& Stderr();

  // Replaces the drawn line with `line` (no newline).
  void Draw(std::ostream& out, const std::string& line);
  // Ends a drawn line with a newline, so what follows starts on its own line.
  void Finish(std::ostream& out);
  // Erases a drawn line from `f` before a record is written there. Returns
  // the lock to hold while writing the record.
  std::unique_lock<std::mutex> ClearForRecord(std::FILE* f);

 private:
  std::mutex mu_;
  bool drawn_ = false;
};

// Columns of the terminal on stderr; `fallback` when it is not one or does
// not say (COLUMNS, when set, wins).
int TerminalWidth(int fallback = 80);

}  // namespace cnake::cli
