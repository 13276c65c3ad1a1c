#include "translate/module_scan.h"

namespace cnake::translate {
namespace {

// Skips cdef/cpdef/ctypedef modifiers; returns the index of the first other token.
size_t SkipModifiers(const std::vector<Token>& toks, size_t k) {
  while (k < toks.size() && (toks[k].Is("public") || toks[k].Is("api") || toks[k].Is("packed") ||
                             toks[k].Is("readonly") || toks[k].Is("final"))) {
    ++k;
  }
  return k;
}

}  // namespace

ModuleScan ScanModule(const std::vector<LogicalLine>& lines) {
  ModuleScan scan;
  TypeContext& t = scan.types;
  int extern_width = -1;
  for (const LogicalLine& ll : lines) {
    if (ll.IsBlankOrComment()) continue;
    const int width = ll.Width();
    if (extern_width >= 0 && width <= extern_width) extern_width = -1;
    const std::vector<Token> toks = Tokenize(ll.body);
    if (toks.empty()) continue;
    const bool in_extern = extern_width >= 0;
    if (toks[0].Is("import") && toks.size() >= 2 && toks[1].Is("numpy")) {
      scan.python_numpy_aliases.insert(
          toks.size() >= 4 && toks[2].Is("as") ? std::string(toks[3].text) : "numpy");
    }
    if (toks[0].Is("cimport") && toks.size() >= 2 && toks[1].Is("numpy")) {
      t.numpy_aliases.insert(toks.size() >= 4 && toks[2].Is("as") ? std::string(toks[3].text)
                                                                  : "numpy");
    }
    if (toks[0].Is("class") && toks.size() >= 2 && toks[1].IsName()) {
      t.classes.insert(std::string(toks[1].text));
      continue;
    }
    const bool cdef = toks[0].Is("cdef") || toks[0].Is("cpdef");
    const bool ctypedef = toks[0].Is("ctypedef");
    if (in_extern) {
      // Inside `cdef extern from`: C types are opaque, typedefs of scalars are aliases.
      size_t k = SkipModifiers(toks, ctypedef || cdef ? 1 : 0);
      if (k + 1 < toks.size() && (toks[k].Is("struct") || toks[k].Is("union") ||
                                  toks[k].Is("enum") || toks[k].Is("cppclass"))) {
        if (toks[k + 1].IsName()) t.opaque.insert(std::string(toks[k + 1].text));
      } else if (ctypedef && toks.size() >= 3 && toks.back().IsName()) {
        const CType aliased = ParseCType(ll.body, toks, 1, toks.size() - 1);
        if (!aliased.empty()) t.aliases[std::string(toks.back().text)] = aliased;
      }
      continue;
    }
    if (!cdef && !ctypedef) continue;
    size_t k = SkipModifiers(toks, 1);
    if (k >= toks.size()) continue;
    if (toks[k].Is("extern")) {
      extern_width = width;
      continue;
    }
    if (k + 1 >= toks.size() || !toks[k + 1].IsName()) {
      if (ctypedef && toks.back().IsName() && toks.size() >= 3) {
        const CType aliased = ParseCType(ll.body, toks, 1, toks.size() - 1);
        if (!aliased.empty()) t.aliases[std::string(toks.back().text)] = aliased;
      }
      continue;
    }
    const std::string name(toks[k + 1].text);
    if (toks[k].Is("class")) {
      t.classes.insert(name);
    } else if (toks[k].Is("struct") || toks[k].Is("union")) {
      t.structs.insert(name);
    } else if (toks[k].Is("enum")) {
      t.enums.insert(name);
    } else if (toks[k].Is("fused")) {
      t.fused.insert(name);
    } else if (ctypedef && toks.back().IsName() && toks.size() >= 3) {
      const CType aliased = ParseCType(ll.body, toks, 1, toks.size() - 1);
      if (!aliased.empty()) t.aliases[std::string(toks.back().text)] = aliased;
    }
  }
  return scan;
}

}  // namespace cnake::translate
