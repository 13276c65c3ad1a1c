// Calls whose Python form depends on what is called, used by
// RewriteExpression:
//   - libcpp containers (by the receiver's declared type): vector -> list
//     (push_back -> append, back() -> [-1], resize -> slice assignment...),
//     map/unordered_map -> dict (find(k) != m.end() -> k in m, count -> in),
//     set -> set, priority_queue -> heapq with reversed order (C++'s is a
//     max-heap), queue/stack -> list; pair[...](a, b) and make_pair -> tuples;
//     sort(v.begin(), v.end()) -> v.sort();
//   - cython.view.array(shape=..., itemsize=..., format=...) -> nested lists;
//   - memcmp -> _c_memcmp on slices;
//   - calls to module functions passing &arr[k] -> arr[k:] when the callee
//     only reads through that pointer (a write would be lost: untranslated).
// Pure functions of their inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "translate/expressions.h"

namespace cnake::translate {

struct SpecialCall {
  std::string text;     // replacement for tokens [start, end)
  size_t end = 0;       // exclusive token index
  std::string failure;  // set when the call cannot be translated faithfully
};

// Tries the rules above on the call whose name starts at toks[at] (a name
// not preceded by '.'). nullopt when no rule applies.
std::optional<SpecialCall> RewriteSpecialCall(std::string_view text, const std::vector<Token>& toks,
                                              size_t at, const ExprEnv& env);

// Python default value of a libcpp container declared without initialiser
// ("[]", "defaultdict(int)", "set()"), or "" when `type` is not one. Sets
// *needs_defaultdict when the value uses collections.defaultdict.
std::string ContainerDefault(const CType& type, const TypeContext& ctx, bool* needs_defaultdict);

// Last component of a libcpp container type name ("vector", "map"...), or "".
std::string ContainerKind(const CType& type);

}  // namespace cnake::translate
