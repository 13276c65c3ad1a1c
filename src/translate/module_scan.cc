#include "translate/module_scan.h"

#include "translate/declarations.h"

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

// Whether a `# cython:` directive comment sets `setting` (e.g. "cdivision=True").
bool HasDirective(const std::string& comment, const std::string& setting) {
  std::string compact;
  for (char c : comment) {
    if (c != ' ') compact += c;
  }
  return compact.rfind("#cython:", 0) == 0 && compact.find(setting) != std::string::npos;
}

FunctionInfo InfoOf(const Signature& sig, bool skip_self) {
  FunctionInfo info;
  if (sig.has_return_type) info.return_type = sig.return_type;
  for (size_t k = skip_self ? 1 : 0; k < sig.params.size(); ++k) {
    const Param& p = sig.params[k];
    if (p.keep_raw) break;  // *args, keyword-only markers: stop at positionals
    info.params.push_back(p.type);
    info.param_names.push_back(p.name);
  }
  return info;
}

// Pointer parameters the function body writes through ("p[i] = ...",
// "p[0] += ..."): a caller passing &arr[k] needs the writes to land.
void CollectWrittenPointers(const std::vector<LogicalLine>& lines, size_t header,
                            FunctionInfo* info) {
  for (size_t i = header + 1; i < lines.size(); ++i) {
    if (lines[i].IsBlankOrComment()) continue;
    if (lines[i].Width() <= lines[header].Width()) break;
    const std::vector<Token> toks = Tokenize(lines[i].body);
    if (toks.size() < 2 || !toks[0].IsName() || !toks[1].Is("[")) continue;
    const size_t close = MatchingClose(toks, 1);
    if (close + 1 < toks.size() && toks[close + 1].kind == TokenKind::kOp &&
        toks[close + 1].text.back() == '=' && !toks[close + 1].Is("==")) {
      info->written_pointer_params.insert(std::string(toks[0].text));
    }
  }
}

void ScanFunctions(const std::vector<LogicalLine>& lines, ModuleScan* scan) {
  std::string current_class;
  int class_width = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    const LogicalLine& ll = lines[i];
    if (ll.IsBlankOrComment()) {
      if (i < 8 && HasDirective(ll.body, "cdivision=True")) scan->cdivision = true;
      if (i < 8 && HasDirective(ll.body, "language_level=2")) scan->language_level_2 = true;
      continue;
    }
    const int width = ll.Width();
    if (class_width >= 0 && width <= class_width) class_width = -1;
    const std::vector<Token> toks = Tokenize(ll.body);
    size_t k = 0;
    while (k < toks.size() && (toks[k].Is("cdef") || toks[k].Is("cpdef") || toks[k].Is("public") ||
                               toks[k].Is("final") || toks[k].Is("readonly"))) {
      ++k;
    }
    if (width == 0 && k < toks.size() && toks[k].Is("class") && k + 1 < toks.size()) {
      current_class = std::string(toks[k + 1].text);
      class_width = 0;
      continue;
    }
    std::optional<Signature> sig = ParseSignature(ll.body);
    if (!sig || !sig->has_body) continue;
    if (width == 0) {
      FunctionInfo info = InfoOf(*sig, false);
      CollectWrittenPointers(lines, i, &info);
      scan->functions[sig->name] = std::move(info);
    } else if (class_width >= 0 && (sig->name == "__init__" || sig->name == "__cinit__") &&
               !scan->functions.count(current_class)) {
      scan->functions[current_class] = InfoOf(*sig, true);
    }
  }
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
  ScanFunctions(lines, &scan);
  return scan;
}

}  // namespace cnake::translate
