// libc memory functions and qsort on the buffers the translator represents as
// Python lists (typed C arrays, malloc'd T*) or bytearrays (char buffers):
//   memset(p, v, bytes)        -> p[a:a + n] = [value] * n   (bytes([v]) * n for chars)
//   memcpy/memmove(d, s, bytes) -> d[a:a + n] = s[b:b + n]    (a slice copy: memmove-safe)
//   memcmp(a, b, bytes)        -> _c_memcmp(a[...], b[...])
//   qsort(p, n, size, cmp)     -> p[a:a + n] = sorted(p[a:a + n], key=cmp_to_key(...))
// Buffers may be offset: p + k, &p[k]. Byte counts are turned into element
// counts through sizeof. A call whose meaning cannot be kept (a memset byte
// pattern on doubles, pointer-to-pointer copies) is reported untranslatable
// rather than approximated. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "translate/expressions.h"
#include "translate/statements.h"

namespace cnake::translate {

// A buffer argument: the list/bytearray expression and an element offset.
struct BufferRef {
  std::string base;    // Python expression of the whole buffer
  std::string offset;  // Python expression of the first element, "" for 0
  CType element;       // element type when declared, else empty
};

// Parses "p", "self.p", "p + k", "&p[k]" and "<T*>p" forms; nullopt for
// anything else (the address of a scalar or struct, a call...).
std::optional<BufferRef> ParseBufferRef(std::string_view arg, const ExprEnv& env);

// Python slice text of `count` elements of `ref`.
std::string SliceOf(const BufferRef& ref, const std::string& count);

// memset, memcpy, memmove and qsort statements; kKeep when `head` is none of
// them. `args` are the call's argument texts (Cython).
StatementRewrite RewriteMemoryCall(const std::string& head, const std::vector<std::string>& args,
                                   const ExprEnv& env);

// memcmp(a, b, bytes) as an expression; `equality_only` is true when the
// result is only compared with 0 by == or != (then element ordering does not
// matter). Sets *failure when the call cannot be translated faithfully.
std::string RewriteMemcmp(const std::vector<std::string>& args, bool equality_only,
                          const ExprEnv& env, std::string* failure);

}  // namespace cnake::translate
