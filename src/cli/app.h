// The command-line front end: parses argv, loads configuration, runs one
// subcommand and returns the process exit code (util/exit_codes.h).
#pragma once

#include <iosfwd>
#include <map>
#include <string>

namespace cnake::cli {

// `env` is the process environment (tests pass their own).
int RunCli(int argc, char** argv, const std::map<std::string, std::string>& env, std::ostream& out,
           std::ostream& err);

}  // namespace cnake::cli
