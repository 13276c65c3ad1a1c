// The command-line front end: parses argv, loads configuration, runs one
// subcommand and returns the process exit code (util/exit_codes.h).
#pragma once

#include <iosfwd>
#include <map>
#include <string>

namespace cnake::cli {

class SignalWatcher;

// `env` is the process environment (tests pass their own); `signals` may be
// null (then SIGINT keeps its default action).
int RunCli(int argc, char** argv, const std::map<std::string, std::string>& env, std::ostream& out,
           std::ostream& err, SignalWatcher* signals = nullptr);

}  // namespace cnake::cli
