// Test helper: runs the machine's python3 to check translated code. Batches
// many sources into one interpreter so the tests stay fast.
#pragma once

#include <string>
#include <vector>

namespace cnake::translate::testing {

// For each source, "" when it parses as Python 3, else python's error
// message ("line N: msg"). Fails the current test when python3 cannot run.
std::vector<std::string> ParseErrors(const std::vector<std::string>& sources);

struct PythonRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr combined
};
// Runs `python3 -c <script>` with `stdin_text` on standard input.
PythonRun RunPython(const std::string& script, const std::string& stdin_text);

}  // namespace cnake::translate::testing
