// Rewrites of single Cython statements that are not expressions: the
// `for i from a <= i < b` loop, `with nogil:` items, `free(p)`, `memcpy`,
// numpy's `import_array()` and Python 2 `print x`. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "translate/expressions.h"

namespace cnake::translate {

// `for i from 0 <= i < n by 2:` -> `for i in range(0, n, 2):`; nullopt when
// the statement is not a for-from loop or its bounds cannot be read.
std::optional<std::string> RewriteForFrom(std::string_view body, const ExprEnv& env);

struct WithRewrite {
  bool is_with = false;           // the statement is a `with` header
  std::vector<std::string> kept;  // items that stay (files, locks, ...)
  bool dropped_any = false;       // nogil/gil/parallel()/cython.* items removed
  std::string suite;              // statement after ':' on the same line
  std::string comment;            // trailing comment
};
// Splits a `with` header into the items Python keeps and those it drops.
WithRewrite AnalyzeWith(std::string_view body);

enum class StatementAction { kKeep, kDrop, kReplace, kUntranslatable };
struct StatementRewrite {
  StatementAction action = StatementAction::kKeep;
  std::string text;                                          // kReplace: the Python statement
  std::string reason;                                        // kDrop: note; kUntranslatable: reason
  std::vector<std::pair<std::string, std::string>> imports;  // (module, name) the text needs
};
// Statement-level C idioms: free(p) and PyMem_Free(p) are dropped, memcpy
// becomes slice assignment, np.import_array() is dropped, `print x` gets
// parentheses. `c_names` are the C library names the module brought in.
StatementRewrite RewriteCStatement(std::string_view body, const std::set<std::string>& c_names,
                                   const ExprEnv& env);

}  // namespace cnake::translate
