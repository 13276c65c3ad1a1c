// The C numeric model behind the integer-semantics rewrites: what C type a
// Cython value has (width and signedness of integers, double), how C promotes
// two operands, and the Python text that reproduces C's wraparound and
// truncating division. Python helpers used by the output are defined here
// too, so one table says what `_c_div` and friends mean. Pure functions.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "translate/ctypes.h"

namespace cnake::translate {

// The value of a Cython expression as C sees it. kPython means a Python
// object (or unknown): Python semantics apply and nothing is rewritten.
struct CNum {
  enum class Kind { kPython, kInt, kFloat };
  Kind kind = Kind::kPython;
  int bits = 0;               // kInt: 8, 16, 32 or 64
  bool is_unsigned = false;   // kInt
  bool literal = false;       // an integer literal: adapts to the other operand
  bool non_negative = false;  // known >= 0 (unsigned values, literals >= 0)

  bool IsInt() const { return kind == Kind::kInt; }
  bool IsFloat() const { return kind == Kind::kFloat; }
  bool IsC() const { return kind != Kind::kPython; }
};

CNum IntOf(int bits, bool is_unsigned);
CNum FloatNum();

// C numeric type of a declared Cython type (after ctypedef aliases); kPython
// for pointers, arrays, objects and anything not a C scalar. bint and enums
// are C ints.
CNum NumOf(const CType& type, const TypeContext& ctx);

// C's usual arithmetic conversions for a binary operator's operands.
CNum Promote(const CNum& a, const CNum& b);

// Python text that reduces `expr` (already parenthesized if needed) to the
// range of `target`: a mask for unsigned types, a `_wrap_iN` call for signed
// ones. Records the helper it uses in `helpers`.
std::string WrapTo(const std::string& expr, const CNum& target, std::set<std::string>* helpers);

// Definitions of the helpers named in `used`, in a fixed order, as Python
// source lines (each helper followed by two blank lines).
std::vector<std::string> HelperDefinitions(const std::set<std::string>& used);

// Imports a helper needs ("math" for _c_fmod), to be added by the caller.
std::vector<std::string> HelperImports(const std::set<std::string>& used);

// Signature facts about a module-level function or a class constructor,
// used to type calls and convert arguments as C would.
struct FunctionInfo {
  CType return_type;          // empty when undeclared or a Python object
  std::vector<CType> params;  // one per positional parameter (self excluded); empty when untyped
  std::vector<std::string> param_names;
  std::set<std::string> written_pointer_params;  // T* params written through p[i] = ...
};

}  // namespace cnake::translate
