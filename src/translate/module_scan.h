// Pre-scan of a Cython module: collects the names that later lines refer to
// as types (classes, structs, enums, fused types, ctypedef aliases, numpy
// aliases) before any line is rewritten. Pure function.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "translate/c_numbers.h"
#include "translate/ctypes.h"
#include "translate/lexer.h"

namespace cnake::translate {

struct ModuleScan {
  TypeContext types;
  std::set<std::string> python_numpy_aliases;  // bound by a plain `import numpy [as x]`
  // Module-level functions and class constructors (keyed by class name).
  std::map<std::string, FunctionInfo> functions;
  bool cdivision = false;         // `# cython: cdivision=True` at the top of the module
  bool language_level_2 = false;  // `# cython: language_level=2`: '/' on C ints floors
};

ModuleScan ScanModule(const std::vector<LogicalLine>& lines);

}  // namespace cnake::translate
