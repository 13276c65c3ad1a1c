// Mapping of `cimport` statements, `# cython:` directives and the C library
// names they bring in (libc.math, libc.stdlib, libc.string, libc.limits,
// cpython.mem, numpy, libcpp, cython.*) to Python imports, call renames and
// constants. Also used for members of `cdef extern from "<std header>"` blocks.
// Pure functions over static tables; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cnake::translate {

// How one C library name is made available in Python.
struct LibcName {
  enum class Kind {
    kImport,    // `from <module> import <name> [as alias]`
    kRename,    // calls are renamed to a builtin (strlen -> len)
    kConstant,  // `NAME = <value>` emitted in the module
    kDrop,      // not needed in Python (malloc, free, types)
  };
  Kind kind = Kind::kDrop;
  std::string module;  // kImport
  std::string target;  // kImport: imported name; kRename: builtin; kConstant: value
};

// Looks up a name exported by a C library module ("libc.math") or standard
// header ("math.h"). nullopt when there is no faithful Python equivalent.
std::optional<LibcName> LookupLibcName(std::string_view module_or_header, std::string_view name);

// True for a module or header whose names LookupLibcName knows about (so an
// unknown name from it is untranslatable rather than a user module).
bool IsKnownCModule(std::string_view module_or_header);

struct CimportTranslation {
  std::vector<std::string> lines;              // Python statements to emit in place
  std::map<std::string, std::string> renames;  // call renames to apply from now on
  std::vector<std::string> notes;
  std::vector<std::string> untranslated_names;  // names with no Python equivalent
  std::set<std::string> type_names;             // names that are C types (stdint, libcpp)
  std::string numpy_alias;                      // set when numpy is bound to a name
};

// Translates one `cimport x [as y]`, `from x cimport a [as b], ...` or a
// Python import of a Cython-only module (`from cython.parallel import prange`).
// `python_numpy_aliases` are names the module already binds to numpy with a
// plain import. Returns nullopt when the line is not such an import.
std::optional<CimportTranslation> TranslateCimport(
    std::string_view body, const std::set<std::string>& python_numpy_aliases);

// True for `# cython: ...` and `# distutils: ...` directive comments.
bool IsDirectiveComment(std::string_view body);

}  // namespace cnake::translate
