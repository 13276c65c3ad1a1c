// Rendering of whole Cython blocks that have no line-by-line Python
// equivalent: structs/unions (dataclasses), enums (IntEnum), fused types
// (TypeVar) and ctypedef aliases. Input is the block's header data and its
// body statements without indentation; output is Python lines relative to the
// block's indentation. Pure functions.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "translate/ctypes.h"

namespace cnake::translate {

struct RenderedBlock {
  std::vector<std::string> lines;  // unindented; nested lines carry their own 4 spaces
  std::set<std::string> imports;   // e.g. "from dataclasses import dataclass"
  std::vector<std::string> notes;
  std::vector<std::string> untranslated;  // body statements that could not be mapped
  bool lazy_annotations = false;          // hints reference module-defined names
};

// `cdef struct Name:` / `ctypedef struct Name:` / `cdef union Name:` with
// field statements such as "double x, y" or "Point lo".
RenderedBlock RenderStruct(const std::string& name, const std::vector<std::string>& fields,
                           bool is_union, const TypeContext& ctx);

// `cdef enum Name:` (name may be empty for anonymous enums) with member
// statements such as "RED = 1" or "A, B, C". Members are also bound at
// module level, as Cython does.
RenderedBlock RenderEnum(const std::string& name, const std::vector<std::string>& members);

// Member names of an enum body, in order (used by the pre-scan).
std::vector<std::string> EnumMemberNames(const std::vector<std::string>& members);

// `ctypedef fused Name:` with one type per statement.
RenderedBlock RenderFused(const std::string& name, const std::vector<std::string>& types,
                          const TypeContext& ctx);

// `ctypedef <type> Name` as a Python type alias, or nothing with a note when
// the type has no Python meaning (function pointers, opaque C types).
RenderedBlock RenderTypedef(const std::string& body_after_ctypedef, const TypeContext& ctx);

}  // namespace cnake::translate
