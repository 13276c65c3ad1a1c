// Nesting depth of JSON text, found by a scan of its brackets instead of a
// parse. Callers check it before handing untrusted text to nlohmann, whose
// recursive parser and DOM must never see a 100,000-deep "[[[[...".
//
// Pure and thread-safe. Brackets inside strings (escapes honoured) do not
// count. On invalid JSON the figure is still a bound on what a parser would
// nest, which is all the callers need: the parse that follows reports the
// syntax error.
#pragma once

#include <string_view>

namespace cnake {

// The deepest nesting of objects and arrays in `text`: 0 for a scalar, 1 for
// "{}" or "[1]". Stops scanning once the depth passes `stop_after`, so the
// cost on hostile input is bounded by how far into it that happens.
int JsonNestingDepth(std::string_view text, int stop_after);

}  // namespace cnake
