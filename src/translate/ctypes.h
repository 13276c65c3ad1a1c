// C/Cython type model and its mapping to Python type hints.
//
// A CType is parsed from the tokens of a declaration's type part. MapType turns
// it into a hint that is always valid Python 3.10+ (builtins, generics of
// builtins, or names the translator itself defines in the module), or nothing
// when no honest hint exists. Not thread-safe to mutate a TypeContext
// concurrently; reading is fine.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "translate/lexer.h"

namespace cnake::translate {

struct CType {
  std::string base;  // qualifiers dropped, words joined by ' ': "unsigned long long", "cnp.ndarray"
  int pointer_depth = 0;  // number of '*'
  int memview_dims = 0;   // double[:, ::1] -> 2
  std::vector<std::string>
      template_args;  // vector[int] -> {"int"}; cnp.ndarray[double, ndim=2] -> {"double", "ndim=2"}
  std::vector<std::string> array_dims;  // C arrays: double a[3][4] -> {"3", "4"}
  bool is_const = false;

  bool empty() const { return base.empty(); }
};

// Parses tokens[first, last) as a type: qualifiers, words, dotted names,
// a bracket group (memoryview or template arguments) and trailing '*'s.
// Returns an empty CType when the tokens are not a type.
CType ParseCType(std::string_view text, const std::vector<Token>& tokens, size_t first,
                 size_t last);
CType ParseCType(std::string_view text);

// What the module defines that types can refer to. Filled by the translator's
// pre-scan before any line is rewritten.
struct TypeContext {
  std::set<std::string> classes;         // cdef classes and Python classes: hint is the name
  std::set<std::string> structs;         // structs/unions turned into dataclasses
  std::set<std::string> enums;           // enums turned into IntEnum classes
  std::set<std::string> fused;           // fused types turned into TypeVars or aliases
  std::map<std::string, CType> aliases;  // ctypedef name -> aliased type
  std::set<std::string> numpy_aliases;   // names bound to numpy in the output
  std::set<std::string> opaque;          // extern structs and other C-only names
  // Field types of module structs, filled as each struct block is read.
  std::map<std::string, std::map<std::string, CType>> struct_fields;
};

enum class TypeCategory { kUnknown, kInt, kFloat, kComplex, kBool, kChar, kVoid, kPyObject, kUser };

// Follows ctypedef aliases (cycle-safe) and classifies the scalar base type.
TypeCategory Categorize(const CType& type, const TypeContext& ctx);
// The type with ctypedef aliases resolved (pointer depth and dims accumulate).
CType ResolveAliases(const CType& type, const TypeContext& ctx);

// Python hint for a type, or nullopt when none is honest (void*, extern structs).
std::optional<std::string> MapType(const CType& type, const TypeContext& ctx);

// Python expression for the zero value of a scalar: "0", "0.0", "False", "b''",
// "None", "Point()" for a struct. Used for class defaults and buffers.
std::string ZeroValue(const CType& type, const TypeContext& ctx);

// sizeof in bytes for primitive C types and pointers (LP64), nullopt otherwise.
std::optional<int> SizeOf(const CType& type, const TypeContext& ctx);

// Python builtin conversion for a cast to this type: "int", "float", "bool",
// "complex", the enum name, or "" when the cast is a no-op in Python.
std::string CastFunction(const CType& type, const TypeContext& ctx);

// True for pointer types (and C arrays) whose values the translator represents
// as lists/bytes that may be None where C would have NULL.
bool IsPointerLike(const CType& type);

}  // namespace cnake::translate
