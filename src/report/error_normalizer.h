// Turns an error message into a pattern by replacing the parts that differ
// between occurrences of the same problem (numbers, ids, hex strings, UUIDs,
// quoted strings, paths, URLs) with placeholders, so that failures can be
// grouped: "job 7f3a... failed after 1532 ms" and "job 09bc... failed after
// 88 ms" both become "job <hex> failed after <n> ms".
//
// Placeholders: <url>, <uuid>, <path>, <str>, <hex>, <n>, <id>.
// Pure function; thread-safe. Accepts any bytes (messages are hostile input):
// invalid UTF-8 and control characters end up inside placeholders or are
// replaced, and the result is at most kMaxPatternBytes long.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cnake::report {

inline constexpr std::size_t kMaxPatternBytes = 300;

std::string NormalizeErrorMessage(std::string_view message);

}  // namespace cnake::report
