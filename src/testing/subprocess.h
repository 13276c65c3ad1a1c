// Runs a program to completion and captures its output. Test-only.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cnake::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with exactly `env` as its environment, `stdin_data`
// on its standard input, in `cwd` when not empty.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& cwd = "", const std::string& stdin_data = "");

}  // namespace cnake::testing
