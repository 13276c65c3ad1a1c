#include "translate/cimports.h"

#include "translate/expressions.h"
#include "translate/lexer.h"

namespace cnake::translate {
namespace {

using Kind = LibcName::Kind;

std::string Canonical(std::string_view m) {
  static const std::map<std::string_view, std::string_view> kHeaders = {
      {"math.h", "libc.math"},     {"stdlib.h", "libc.stdlib"}, {"string.h", "libc.string"},
      {"limits.h", "libc.limits"}, {"float.h", "libc.float"},   {"stdint.h", "libc.stdint"},
      {"stdio.h", "libc.stdio"},   {"cmath", "libc.math"},      {"cstdlib", "libc.stdlib"},
      {"cstring", "libc.string"},  {"climits", "libc.limits"},  {"cstdint", "libc.stdint"}};
  std::string s(m);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'')) s = s.substr(1, s.size() - 2);
  if (auto it = kHeaders.find(s); it != kHeaders.end()) return std::string(it->second);
  return s;
}

const std::map<std::string, LibcName>& MathNames() {
  static const std::map<std::string, LibcName> kTable = [] {
    std::map<std::string, LibcName> t;
    for (const char* f :
         {"sqrt",  "sin",   "cos",   "tan",      "asin",  "acos",  "atan",   "atan2",
          "sinh",  "cosh",  "tanh",  "asinh",    "acosh", "atanh", "exp",    "expm1",
          "log",   "log2",  "log10", "log1p",    "pow",   "fabs",  "floor",  "ceil",
          "trunc", "fmod",  "hypot", "copysign", "erf",   "erfc",  "lgamma", "ldexp",
          "frexp", "isnan", "isinf", "isfinite", "cbrt",  "exp2"}) {
      t[f] = {Kind::kImport, "math", f};
      t[std::string(f) + "f"] = {Kind::kImport, "math", f};
    }
    t["tgamma"] = {Kind::kImport, "math", "gamma"};
    t["M_PI"] = {Kind::kImport, "math", "pi"};
    t["M_E"] = {Kind::kImport, "math", "e"};
    t["INFINITY"] = {Kind::kImport, "math", "inf"};
    t["HUGE_VAL"] = {Kind::kImport, "math", "inf"};
    t["NAN"] = {Kind::kImport, "math", "nan"};
    t["M_PI_2"] = {Kind::kConstant, "", "1.5707963267948966"};
    t["M_PI_4"] = {Kind::kConstant, "", "0.7853981633974483"};
    t["M_SQRT2"] = {Kind::kConstant, "", "1.4142135623730951"};
    t["M_LN2"] = {Kind::kConstant, "", "0.6931471805599453"};
    t["pi"] = {Kind::kImport, "math", "pi"};
    // C returns doubles where Python's math returns ints, and rounds halves
    // away from zero: helpers keep C's results (c_numbers.h).
    for (const char* f : {"floor", "ceil", "trunc"}) {
      t[f] = {Kind::kRename, "", std::string("_c_") + f};
      t[std::string(f) + "f"] = t[f];
    }
    t["fmax"] = {Kind::kRename, "", "_c_fmax"};
    t["fmin"] = {Kind::kRename, "", "_c_fmin"};
    t["round"] = {Kind::kRename, "", "_c_round"};
    t["lround"] = {Kind::kRename, "", "_c_lround"};
    t["llround"] = {Kind::kRename, "", "_c_lround"};
    t["rint"] = {Kind::kRename, "", "_c_rint"};
    t["nearbyint"] = {Kind::kRename, "", "_c_rint"};
    return t;
  }();
  return kTable;
}

const std::map<std::string, std::map<std::string, LibcName>>& Tables() {
  static const std::map<std::string, std::map<std::string, LibcName>> kTables = [] {
    std::map<std::string, std::map<std::string, LibcName>> t;
    t["libc.math"] = MathNames();
    auto& stdlib = t["libc.stdlib"];
    for (const char* f : {"malloc", "calloc", "realloc", "free"}) stdlib[f] = {Kind::kDrop, "", ""};
    for (const char* f : {"abs", "labs", "llabs"}) stdlib[f] = {Kind::kRename, "", "abs"};
    for (const char* f : {"atoi", "atol", "atoll"}) stdlib[f] = {Kind::kRename, "", "int"};
    stdlib["atof"] = {Kind::kRename, "", "float"};
    stdlib["exit"] = {Kind::kImport, "sys", "exit"};
    stdlib["getenv"] = {Kind::kImport, "os", "getenv"};
    stdlib["RAND_MAX"] = {Kind::kConstant, "", "2147483647"};
    auto& str = t["libc.string"];
    for (const char* f : {"memcpy", "memmove"}) str[f] = {Kind::kDrop, "", ""};
    str["strlen"] = {Kind::kRename, "", "len"};
    t["libc.stdio"]["puts"] = {Kind::kRename, "", "print"};
    auto& limits = t["libc.limits"];
    const std::pair<const char*, const char*> kLimits[] = {{"CHAR_BIT", "8"},
                                                           {"CHAR_MAX", "127"},
                                                           {"CHAR_MIN", "-128"},
                                                           {"SCHAR_MAX", "127"},
                                                           {"SCHAR_MIN", "-128"},
                                                           {"UCHAR_MAX", "255"},
                                                           {"SHRT_MAX", "32767"},
                                                           {"SHRT_MIN", "-32768"},
                                                           {"USHRT_MAX", "65535"},
                                                           {"INT_MAX", "2147483647"},
                                                           {"INT_MIN", "-2147483648"},
                                                           {"UINT_MAX", "4294967295"},
                                                           {"LONG_MAX", "9223372036854775807"},
                                                           {"LONG_MIN", "-9223372036854775808"},
                                                           {"ULONG_MAX", "18446744073709551615"},
                                                           {"LLONG_MAX", "9223372036854775807"},
                                                           {"LLONG_MIN", "-9223372036854775808"},
                                                           {"ULLONG_MAX", "18446744073709551615"}};
    for (auto [k, v] : kLimits) limits[k] = {Kind::kConstant, "", v};
    auto& flt = t["libc.float"];
    flt["DBL_MAX"] = {Kind::kConstant, "", "1.7976931348623157e308"};
    flt["DBL_MIN"] = {Kind::kConstant, "", "2.2250738585072014e-308"};
    flt["DBL_EPSILON"] = {Kind::kConstant, "", "2.220446049250313e-16"};
    flt["FLT_MAX"] = {Kind::kConstant, "", "3.4028234663852886e38"};
    flt["FLT_EPSILON"] = {Kind::kConstant, "", "1.1920928955078125e-07"};
    auto& mem = t["cpython.mem"];
    for (const char* f :
         {"PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Free", "PyMem_RawMalloc",
          "PyMem_RawCalloc", "PyMem_RawRealloc", "PyMem_RawFree"}) {
      mem[f] = {Kind::kDrop, "", ""};
    }
    return t;
  }();
  return kTables;
}

// Modules whose every name is a C type or compile-time helper: dropping the
// import loses nothing at run time.
bool IsTypeOnlyModule(const std::string& m) {
  return m == "libc.stdint" || m.rfind("libcpp", 0) == 0 || m == "cython" ||
         m.rfind("cython.", 0) == 0 || m == "cpython.object" || m == "cpython.ref";
}

struct ImportedName {
  std::string name;
  std::string alias;  // empty when no "as"
};

std::vector<ImportedName> ParseNames(std::string_view list) {
  std::string text = Trim(list);
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    text = text.substr(1, text.size() - 2);
  }
  std::vector<ImportedName> out;
  for (const std::string& item : SplitTopLevel(text)) {
    if (item.empty()) continue;
    const std::vector<Token> toks = Tokenize(item);
    ImportedName n;
    size_t k = 0;
    while (k < toks.size() && !toks[k].Is("as")) n.name += std::string(toks[k++].text);
    if (k + 1 < toks.size()) n.alias = std::string(toks[k + 1].text);
    out.push_back(n);
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

std::optional<LibcName> LookupLibcName(std::string_view module_or_header, std::string_view name) {
  const auto& tables = Tables();
  auto t = tables.find(Canonical(module_or_header));
  if (t == tables.end()) return std::nullopt;
  auto it = t->second.find(std::string(name));
  if (it == t->second.end()) return std::nullopt;
  return it->second;
}

bool IsKnownCModule(std::string_view m) {
  const std::string c = Canonical(m);
  return Tables().count(c) > 0 || c.rfind("libc.", 0) == 0 || c.rfind("posix", 0) == 0 ||
         c.rfind("cpython", 0) == 0 || IsTypeOnlyModule(c);
}

bool IsDirectiveComment(std::string_view body) {
  std::string_view s = body;
  if (s.empty() || s[0] != '#') return false;
  s.remove_prefix(1);
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  return s.rfind("cython:", 0) == 0 || s.rfind("distutils:", 0) == 0;
}

std::optional<CimportTranslation> TranslateCimport(std::string_view body,
                                                   const std::set<std::string>& numpy_aliases) {
  const std::vector<Token> toks = Tokenize(body);
  if (toks.size() < 2) return std::nullopt;
  CimportTranslation out;
  if (toks[0].Is("cimport")) {
    // cimport a.b [as c], d
    for (const ImportedName& n : ParseNames(Span(body, toks, 1, toks.size()))) {
      const std::string& module = n.name;
      const std::string bound = n.alias.empty() ? module : n.alias;
      if (module == "numpy") {
        out.numpy_alias = bound;
        if (numpy_aliases.count(bound)) {
          out.notes.push_back("cimport numpy dropped: numpy is already imported as " + bound);
        } else {
          out.lines.push_back(n.alias.empty() ? "import numpy" : "import numpy as " + n.alias);
          out.notes.push_back("cimport numpy -> import numpy");
        }
      } else if (IsKnownCModule(module)) {
        out.notes.push_back("cimport " + module + " dropped");
      } else {
        out.lines.push_back(n.alias.empty() ? "import " + module
                                            : "import " + module + " as " + n.alias);
        out.notes.push_back("cimport " + module + " -> import");
      }
    }
    return out;
  }
  if (!toks[0].Is("from")) return std::nullopt;
  size_t k = 1;
  std::string module;
  while (k < toks.size() && !toks[k].Is("cimport") && !toks[k].Is("import")) {
    module += std::string(toks[k].text);
    ++k;
  }
  if (k >= toks.size()) return std::nullopt;
  const bool is_cimport = toks[k].Is("cimport");
  const bool cython_module = module == "cython" || module.rfind("cython.", 0) == 0;
  if (!is_cimport && !cython_module) return std::nullopt;
  const std::vector<ImportedName> names = ParseNames(Span(body, toks, k + 1, toks.size()));
  if (cython_module || IsTypeOnlyModule(module)) {
    out.notes.push_back("from " + module + " " + std::string(toks[k].text) + " ... dropped");
    for (const ImportedName& n : names) out.type_names.insert(n.alias.empty() ? n.name : n.alias);
    return out;
  }
  if (module == "numpy") {
    out.notes.push_back("from numpy cimport ... dropped (C-level numpy types)");
    for (const ImportedName& n : names) out.type_names.insert(n.alias.empty() ? n.name : n.alias);
    return out;
  }
  if (!IsKnownCModule(module)) {
    std::vector<std::string> items;
    for (const ImportedName& n : names)
      items.push_back(n.alias.empty() ? n.name : n.name + " as " + n.alias);
    out.lines.push_back("from " + module + " import " + Join(items));
    out.notes.push_back("from " + module + " cimport -> import");
    return out;
  }
  std::map<std::string, std::vector<std::string>> imports;
  std::vector<std::string> constants;
  for (const ImportedName& n : names) {
    const std::string bound = n.alias.empty() ? n.name : n.alias;
    const std::optional<LibcName> m = LookupLibcName(module, n.name);
    if (!m) {
      out.untranslated_names.push_back(n.name);
      continue;
    }
    switch (m->kind) {
      case Kind::kImport:
        imports[m->module].push_back(m->target == bound ? bound : m->target + " as " + bound);
        break;
      case Kind::kRename:
        out.renames[bound] = m->target;
        out.notes.push_back(n.name + "() -> " + m->target + "()");
        break;
      case Kind::kConstant:
        constants.push_back(bound + " = " + m->target);
        break;
      case Kind::kDrop:
        out.notes.push_back(module + "." + n.name + " dropped: not needed in Python");
        break;
    }
  }
  for (const auto& [mod, items] : imports) {
    out.lines.push_back("from " + mod + " import " + Join(items));
    out.notes.push_back("cimport " + module + " -> import " + mod);
  }
  out.lines.insert(out.lines.end(), constants.begin(), constants.end());
  return out;
}

}  // namespace cnake::translate
