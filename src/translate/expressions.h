// Expression-level rewriting of Cython-only syntax into Python.
//
// Handles casts (<int>x -> int(x)), address-of, NULL, sizeof, C char literals
// and integer suffixes, prange, malloc-family buffers and libc call renames.
// Works on tokens, so comparisons (a < b > c) and string or comment contents
// are never touched. Pure function of its inputs; thread-compatible.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "translate/c_numbers.h"
#include "translate/ctypes.h"

namespace cnake::translate {

struct ExprEnv {
  const TypeContext* types = nullptr;  // required
  // Names (and "self.attr" paths) known to hold translated C pointers, so that
  // "not p" and "p == NULL" become "p is None".
  std::set<std::string> pointer_names;
  // Typed memoryviews (now lists) and their dimensions: "m.shape[1]" becomes
  // "len(m[0])" and "m[i, j]" becomes "m[i][j]".
  std::map<std::string, int> memview_dims;
  // Calls to rename, e.g. {"strlen", "len"}, {"fmax", "max"}; only applied to
  // plain (non-attribute) calls.
  std::map<std::string, std::string> call_renames;
  std::vector<std::string>* notes = nullptr;  // optional sink for mapping notes

  // C semantics (c_semantics.h). Scoped like pointer_names.
  std::map<std::string, CType> var_types;  // C-typed names in scope, and "self.attr"
  bool cdivision = false;                  // cdivision=True in force
  bool true_division = true;               // '/' on C ints is true division (language_level 3)
  CType return_type;                       // of the enclosing function; empty if none
  // Scalars whose address is taken (&x): held in one-element lists, so "x"
  // reads as "x[0]" and "&x" passes the list.
  std::set<std::string> boxed;
  // Module-wide facts, optional.
  const std::map<std::string, FunctionInfo>* functions = nullptr;
  const std::set<std::string>* c_names = nullptr;  // names cimported from C libraries
  std::set<std::string>* helpers = nullptr;        // sink: helper functions the output uses
  std::map<std::string, std::set<std::string>>* imports = nullptr;  // sink: module -> names
  bool cpp_pairs = false;  // libcpp pairs in use: ".first"/".second" index tuples
};

struct ExprResult {
  std::string text;
  std::string failure;  // non-empty when something could not be translated
};

// Rewrites one expression or simple statement (any token sequence). The
// result keeps the original spacing and comments wherever nothing changed.
ExprResult RewriteExpression(std::string_view text, const ExprEnv& env);

// Translates an allocation call (malloc, calloc, realloc, PyMem_*) into a
// Python list/bytearray expression. `element` is the pointee type when known
// from a cast or declaration (may be empty). Returns "" when the call is not
// a recognisable allocation.
std::string RewriteAllocation(std::string_view call, const CType& element, const ExprEnv& env);

// Element count for a byte count such as "n * sizeof(double)" -> "n".
// `element` is filled from the sizeof when empty; without a sizeof the byte
// count is divided by the element size when known.
std::string ElementCount(std::string_view bytes, CType* element, const ExprEnv& env);

// True for malloc, calloc, realloc and the PyMem_ variants.
bool IsAllocator(std::string_view name);
// True for free and PyMem_Free/PyMem_RawFree.
bool IsDeallocator(std::string_view name);

// Splits text at top-level commas; pieces are trimmed.
std::vector<std::string> SplitTopLevel(std::string_view text, std::string_view sep = ",");

// Trims ASCII whitespace at both ends.
std::string Trim(std::string_view s);

}  // namespace cnake::translate
