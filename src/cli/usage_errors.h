// Explaining a command line that CLI11 refused, better than CLI11 does:
// every unknown option in the order given, with a "did you mean" from the
// options the command has (config/did_you_mean.h, as for config keys); an
// unknown command with the command it resembles ("stat" -> "stats"). An
// unknown option that looks like it carries a secret (its name holds key,
// token, password, passwd, secret or credential) is named, never its value:
// the message says to use CNAKE_API_KEY instead. Option values are never
// echoed at all.
//
// Pure: reads the parser's definitions, not its state. Thread-compatible.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cnake::cli {

// The explanation of why `args` (argv without the program name) does not
// parse with `app`, one problem per line, or nullopt when there is nothing
// better to say than CLI11's own message (which then holds no secret: a
// secret-looking option always yields a message here).
std::optional<std::string> ExplainUsageError(const CLI::App& app,
                                             const std::vector<std::string>& args);

// True for an option name (without dashes) that looks like it carries a
// secret.
bool LooksLikeSecretOption(std::string_view name);

}  // namespace cnake::cli
