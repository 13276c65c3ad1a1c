// Typed configuration values and their text forms.
//
// Environment variables and flags arrive as text; ParseValueText turns text
// into a Value strictly (the whole string, no surrounding whitespace, "8x" is
// not an integer). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "util/status.h"

namespace cnake {

enum class ValueType {
  kString,
  kSecret,  // a string that is never shown (api.api_key)
  kInt,
  kDouble,
  kBool,
};

// kString and kSecret hold std::string, kInt int64_t, kDouble double, kBool bool.
using Value = std::variant<bool, int64_t, double, std::string>;

// "string", "integer", "number", "boolean" (a secret is a "string").
const char* ValueTypeName(ValueType type);

// Strict text -> value. Integers: optional '-', decimal digits. Numbers: decimal
// or exponent notation, finite. Booleans: "true" or "false". Strings: as is.
// On error the Status message is a phrase to follow the quoted value, e.g.
// "is not an integer"; it never repeats the text (callers decide whether the
// text may be shown).
Result<Value> ParseValueText(ValueType type, std::string_view text);

// The value as it would appear in a TOML file: strings quoted and escaped,
// numbers in shortest round-trip form. Secrets are "***".
std::string FormatValue(ValueType type, const Value& value);

// A string quoted for messages: escapes control characters and quotes, and
// cuts values longer than `max_chars` with "...".
std::string QuoteForMessage(std::string_view text, size_t max_chars = 80);

}  // namespace cnake
