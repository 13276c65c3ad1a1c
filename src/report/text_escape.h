// Escaping of hostile text (entry ids, error messages, API output) for the
// report formats. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cnake::report {

// Replaces each invalid UTF-8 sequence (overlong forms, surrogates, code
// points above U+10FFFF, truncated sequences) and each C0 control character
// other than tab and newline, and DEL, with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

// For HTML text and attribute values: SanitizeUtf8, then & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

}  // namespace cnake::report
