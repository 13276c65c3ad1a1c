// Quoting by doubling: SQL identifiers ("), SQL string literals (') and CSV
// fields (") all escape their quote character by writing it twice.
#pragma once

#include <string>
#include <string_view>

namespace cnake {

// `text` between two `quote` characters, each `quote` inside it doubled.
inline std::string QuoteByDoubling(std::string_view text, char quote) {
  std::string out(1, quote);
  out.reserve(text.size() + 2);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace cnake
