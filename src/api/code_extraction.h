// Getting the Python out of a model's chat reply.
//
// Rules, in order (the first that yields code wins, and is recorded):
//   1. python_fence: the first fenced block whose info string names Python
//      (```python, ```py, ```python3, ```py3; any case; ~~~ fences too);
//   2. first_fence:  else the first fenced block of any language;
//   3. whole_reply:  else the whole reply, when it looks like code (below).
// Otherwise there is no code.
//
// Fences follow CommonMark: a line of at least three backticks (or tildes),
// indented by at most three spaces, opens a block; the block ends at a line of
// the same character, at least as long, with nothing else but spaces; a block
// that is never closed runs to the end of the reply. A fenced block with no
// non-blank line does not count.
//
// "Looks like code": after dropping blank lines and the inside of
// triple-quoted strings, at least one line reads as Python (a statement
// keyword, a decorator, a comment, an assignment, a call) and no line reads
// as prose (a capitalised word followed by at least two more plain words
// without '=' or parentheses, e.g. "Here is the translation:" or "I cannot
// help with that."). A reply mixing both, without fences, is rejected rather
// than stored with prose in it.
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cnake::api {

enum class ExtractionRule { kPythonFence, kFirstFence, kWholeReply };

// "python_fence", "first_fence", "whole_reply".
const char* ExtractionRuleName(ExtractionRule rule);

struct ExtractedCode {
  std::string code;  // ends with one '\n'
  ExtractionRule rule = ExtractionRule::kPythonFence;
};

std::optional<ExtractedCode> ExtractPython(std::string_view reply);

bool LooksLikeCode(std::string_view text);

}  // namespace cnake::api
