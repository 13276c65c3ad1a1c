// "Did you mean ...?" suggestions for misspelled configuration keys.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cnake {

// Optimal-string-alignment distance: insertions, deletions, substitutions
// and swaps of adjacent characters each cost 1 (a swap is the commonest typo).
// Case-insensitive (ASCII).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible
// typo: distance <= max(2, word.size() / 4). Ties go to the earlier candidate.
// An exact (case-insensitive) match is not a suggestion and yields nullopt.
std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string>& candidates);

}  // namespace cnake
