// Keeps C numeric semantics through translation. Runs on Cython text before
// the syntactic rewrites (expressions.h), using the declared types in an
// ExprEnv:
//   - '/', '//' and '%' between C integers under cdivision=True truncate
//     toward zero (_c_div/_c_mod); without cdivision they keep Python's
//     meaning, which is Cython's too;
//   - arithmetic in unsigned and fixed-width types wraps: the value is masked
//     (unsigned) or wrapped (_wrap_iN, signed * and <<) wherever C would have
//     truncated it: at assignments, returns, arguments, casts and before any
//     operator that sees high bits (>>, /, %, comparisons, indexing);
//   - a C int stored into, returned as, or passed as a double becomes a float.
// Python-object operands (untyped names, calls to Python functions) are left
// alone: Cython gives them Python semantics. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "translate/c_numbers.h"
#include "translate/expressions.h"

namespace cnake::translate {

// Rewrites one statement (assignment, augmented assignment, return, if/while
// condition, for-loop iterable, expression statement). Text the parser does
// not understand is returned unchanged.
std::string ApplyCSemantics(std::string_view statement, const ExprEnv& env);

// Rewrites the initializer of a declaration of type `target`.
std::string CoerceInitializer(std::string_view value, const CType& target, const ExprEnv& env);

// Declared C type of an expression such as "a[i].x" or "self.buf", from the
// names in scope; empty when unknown.
CType DeclaredTypeOf(std::string_view expression, const ExprEnv& env);

// Type of one element of a pointer, C array, memoryview or libcpp vector/map
// (the mapped type); empty for anything else.
CType ElementTypeOf(const CType& container);

}  // namespace cnake::translate
