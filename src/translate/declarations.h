// Parsing and rendering of Cython declarations: `cdef` variables and
// `def`/`cdef`/`cpdef` function signatures.
//
// Parsing only recognises shapes; rendering decides the Python text using a
// TypeContext (for hints) and an ExprEnv (for default values). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "translate/ctypes.h"
#include "translate/expressions.h"

namespace cnake::translate {

struct Declarator {
  std::string name;
  CType type;         // including this declarator's own '*' and array dims
  std::string value;  // initializer text, "" when absent
};

struct Declaration {
  std::vector<std::string> modifiers;  // "public", "readonly", "api", "static", "extern"
  std::vector<Declarator> vars;
};

// Parses the text after the `cdef` keyword, e.g. "public double x, y = 1.0".
// Returns nullopt when it is not a variable declaration (function pointers
// and anything not shaped `type name [= value], ...`).
std::optional<Declaration> ParseDeclaration(std::string_view after_cdef);

struct Param {
  std::string raw;   // original text, used when the parameter is not rewritten
  std::string name;  // empty for "*", "/", "*args" style (kept raw)
  CType type;        // empty when untyped or not mappable
  std::string default_value;
  bool keep_raw = false;  // Python-annotated, star-args, separators
};

struct Signature {
  std::string keyword;  // "def", "cdef" or "cpdef"
  std::string name;
  CType return_type;  // empty when not declared
  bool has_return_type = false;
  std::vector<Param> params;
  std::string python_tail;  // for `def`: text between ')' and ':' (e.g. "-> int")
  bool has_body = false;    // the header ends with ':' (declarations in .pxd do not)
  std::string suite;        // statement after ':' on the same line, if any
  std::string comment;      // trailing comment, if any
};

// Parses a function header starting with def/cdef/cpdef (after any
// `async`). Returns nullopt when the text is not a function header.
std::optional<Signature> ParseSignature(std::string_view body);

// Python header "def name(params) -> hint:" (without a suite or comment).
// Unmappable types are dropped from hints; defaults are expression-rewritten.
std::string RenderSignature(const Signature& sig, const ExprEnv& env);

// "name: hint = value", "name = value" or "name: hint" for one declarator.
// `value` must already be rewritten; may be empty.
std::string RenderVariable(const std::string& name, const std::optional<std::string>& hint,
                           const std::string& value);

// True when a hint mentions a name that is not a builtin, so annotations must
// be lazy (`from __future__ import annotations`) to allow forward references.
bool HintNeedsLazyAnnotations(std::string_view hint);

}  // namespace cnake::translate
