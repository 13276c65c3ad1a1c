// Text checks shared by the import readers. Internal to cnake_importer.
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cnake::importer {

// Offset of the first byte of the first ill-formed sequence (strict UTF-8, as
// IsValidUtf8), or nullopt when `s` is valid.
std::optional<std::size_t> FindInvalidUtf8(std::string_view s);

// Copy of `s` that is valid UTF-8 and free of control characters: invalid
// bytes and C0/DEL/C1 characters become "\xNN" (C1 as "\u0080".."\u009f"),
// and a backslash stays a backslash. Used to quote user data in messages.
std::string EscapeForDisplay(std::string_view s);

// Why `id` is not a valid entry id, or nullopt when it is: it must be
// non-empty valid UTF-8 without C0, DEL or C1 control characters.
std::optional<std::string> ValidateId(std::string_view id);

// True when `s` is empty or holds only ASCII whitespace.
bool IsBlank(std::string_view s);

// `s` without leading and trailing ASCII whitespace.
std::string_view TrimAscii(std::string_view s);

// Splits `text` on commas (and ASCII whitespace when `split_on_space`),
// trims the pieces and appends the non-empty ones not already in `tags`.
void AppendTags(std::string_view text, bool split_on_space, std::vector<std::string>& tags);

// Byte count for messages: "5242880 bytes (5.0 MiB)", "12 bytes".
std::string FormatBytes(std::uintmax_t bytes);

}  // namespace cnake::importer
