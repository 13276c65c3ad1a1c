#include "translate/ctypes.h"

#include <regex>

namespace cnake::translate {
namespace {

bool IsTypeWord(std::string_view w) {
  static const std::set<std::string_view> kWords = {"unsigned", "signed", "long",  "short",  "int",
                                                    "char",     "double", "float", "complex"};
  return kWords.count(w) > 0;
}

std::string LastComponent(const std::string& name) {
  const size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string Prefix(const std::string& name) {
  const size_t dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

TypeCategory CategorizeBase(const std::string& base) {
  static const std::set<std::string> kInts = {"short",
                                              "short int",
                                              "int",
                                              "long",
                                              "long int",
                                              "long long",
                                              "long long int",
                                              "unsigned",
                                              "signed",
                                              "unsigned short",
                                              "unsigned int",
                                              "unsigned long",
                                              "unsigned long long",
                                              "signed short",
                                              "signed int",
                                              "signed long",
                                              "signed long long",
                                              "unsigned short int",
                                              "unsigned long int",
                                              "unsigned long long int",
                                              "size_t",
                                              "ssize_t",
                                              "Py_ssize_t",
                                              "Py_hash_t",
                                              "ptrdiff_t",
                                              "intptr_t",
                                              "uintptr_t",
                                              "Py_intptr_t",
                                              "time_t",
                                              "off_t",
                                              "npy_intp",
                                              "intmax_t",
                                              "uintmax_t",
                                              "integral",
                                              "longlong",
                                              "ulonglong",
                                              "uint",
                                              "ulong",
                                              "Py_ssize_t"};
  static const std::set<std::string> kFloats = {"float",   "double",   "long double", "floating",
                                                "float_t", "double_t", "longdouble_t"};
  static const std::set<std::string> kChars = {"char", "signed char", "unsigned char", "uchar",
                                               "schar"};
  static const std::set<std::string> kComplex = {
      "double complex", "float complex", "long double complex", "doublecomplex", "floatcomplex"};
  static const std::map<std::string, TypeCategory> kPy = {
      {"object", TypeCategory::kPyObject},     {"list", TypeCategory::kPyObject},
      {"dict", TypeCategory::kPyObject},       {"tuple", TypeCategory::kPyObject},
      {"set", TypeCategory::kPyObject},        {"frozenset", TypeCategory::kPyObject},
      {"str", TypeCategory::kPyObject},        {"bytes", TypeCategory::kPyObject},
      {"bytearray", TypeCategory::kPyObject},  {"unicode", TypeCategory::kPyObject},
      {"basestring", TypeCategory::kPyObject}, {"type", TypeCategory::kPyObject},
      {"slice", TypeCategory::kPyObject},      {"complex", TypeCategory::kPyObject},
      {"memoryview", TypeCategory::kPyObject}, {"Py_UCS4", TypeCategory::kPyObject},
      {"Py_UNICODE", TypeCategory::kPyObject}};
  static const std::regex kIntPattern(
      R"((u?int(8|16|32|64|p|ptr|max|c|_fast\d+|_least\d+)?|u?long(long)?|u?short|u?byte|intp|uintp|npy_u?int\d*|npy_intp|Py_ssize)(_t)?)");
  static const std::regex kFloatPattern(
      R"((float(16|32|64|96|128)|npy_float\d*|npy_double|double)(_t)?)");
  static const std::regex kComplexPattern(
      R"((complex(64|128|256)|npy_c?double|c?float\d*complex)(_t)?)");

  if (base == "bint" || base == "bool" || base == "cython.bint") return TypeCategory::kBool;
  if (base == "void") return TypeCategory::kVoid;
  if (kInts.count(base) || (kInts.count(LastComponent(base)) && base.rfind("cython.", 0) == 0)) {
    return TypeCategory::kInt;
  }
  if (kFloats.count(base) || (kFloats.count(LastComponent(base)) && !Prefix(base).empty())) {
    return TypeCategory::kFloat;
  }
  if (kChars.count(base) || base == "cython.char" || base == "cython.uchar")
    return TypeCategory::kChar;
  if (kComplex.count(base) || base == "cython.doublecomplex") return TypeCategory::kComplex;
  if (auto it = kPy.find(base); it != kPy.end()) return it->second;
  const std::string last = LastComponent(base);
  if (std::regex_match(last, kIntPattern)) return TypeCategory::kInt;
  if (std::regex_match(last, kFloatPattern)) return TypeCategory::kFloat;
  if (std::regex_match(last, kComplexPattern)) return TypeCategory::kComplex;
  if (base == "cython.numeric") return TypeCategory::kComplex;
  return TypeCategory::kUnknown;
}

std::string PyObjectHint(const std::string& base) {
  if (base == "unicode" || base == "basestring" || base == "Py_UCS4" || base == "Py_UNICODE") {
    return "str";
  }
  return base;
}

std::string WrapList(std::string inner, int times) {
  for (int i = 0; i < times; ++i) inner = "list[" + inner + "]";
  return inner;
}

std::optional<std::string> MapTemplate(const CType& t, const TypeContext& ctx) {
  const std::string name = LastComponent(t.base);
  std::vector<std::string> args;
  for (const std::string& a : t.template_args) {
    auto mapped = MapType(ParseCType(a), ctx);
    args.push_back(mapped ? *mapped : "object");
  }
  if ((name == "vector" || name == "deque" || name == "list") && args.size() == 1) {
    return "list[" + args[0] + "]";
  }
  if ((name == "set" || name == "unordered_set") && args.size() == 1) return "set[" + args[0] + "]";
  if ((name == "map" || name == "unordered_map") && args.size() == 2) {
    return "dict[" + args[0] + ", " + args[1] + "]";
  }
  if (name == "pair" && args.size() == 2) return "tuple[" + args[0] + ", " + args[1] + "]";
  if (name == "ndarray" && ctx.numpy_aliases.count(Prefix(t.base))) return t.base;
  return std::nullopt;
}

}  // namespace

CType ParseCType(std::string_view text, const std::vector<Token>& tokens, size_t first,
                 size_t last) {
  CType t;
  std::vector<std::string> words;
  size_t i = first;
  while (i < last) {
    const Token& tok = tokens[i];
    if (tok.Is("const") || tok.Is("volatile")) {
      t.is_const = true;
      ++i;
    } else if (tok.IsName()) {
      if (!words.empty() && !(IsTypeWord(words.back()) && IsTypeWord(tok.text))) return CType{};
      std::string name(tok.text);
      ++i;
      while (i + 1 < last && tokens[i].Is(".") && tokens[i + 1].IsName()) {
        name += "." + std::string(tokens[i + 1].text);
        i += 2;
      }
      words.push_back(name);
    } else if (tok.Is("[") && !words.empty()) {
      const size_t close = MatchingClose(tokens, i);
      if (close >= last) return CType{};
      bool has_colon = false;
      int dims = 1;
      int depth = 0;
      size_t arg_start = i + 1;
      for (size_t k = i + 1; k < close; ++k) {
        if (tokens[k].Is("(") || tokens[k].Is("[")) ++depth;
        if (tokens[k].Is(")") || tokens[k].Is("]")) --depth;
        if (depth != 0) continue;
        if (tokens[k].Is(":")) has_colon = true;
        if (tokens[k].Is(",")) {
          ++dims;
          t.template_args.emplace_back(Span(text, tokens, arg_start, k));
          arg_start = k + 1;
        }
      }
      if (arg_start < close) t.template_args.emplace_back(Span(text, tokens, arg_start, close));
      if (has_colon) {
        t.memview_dims = dims;
        t.template_args.clear();
      }
      i = close + 1;
    } else if (tok.Is("*")) {
      ++t.pointer_depth;
      ++i;
    } else if (tok.Is("**")) {
      t.pointer_depth += 2;
      ++i;
    } else if (tok.Is("&") || tok.Is("?")) {
      ++i;  // C++ references and checked casts do not change the Python type
    } else {
      return CType{};
    }
  }
  if (words.empty()) return CType{};
  for (const std::string& w : words) t.base += (t.base.empty() ? "" : " ") + w;
  return t;
}

CType ParseCType(std::string_view text) {
  const std::vector<Token> toks = Tokenize(text);
  return ParseCType(text, toks, 0, toks.size());
}

CType ResolveAliases(const CType& type, const TypeContext& ctx) {
  CType t = type;
  for (int guard = 0; guard < 16; ++guard) {
    auto it = ctx.aliases.find(t.base);
    if (it == ctx.aliases.end()) break;
    const CType& target = it->second;
    t.base = target.base;
    t.pointer_depth += target.pointer_depth;
    if (t.memview_dims == 0) t.memview_dims = target.memview_dims;
    if (t.template_args.empty()) t.template_args = target.template_args;
    t.array_dims.insert(t.array_dims.end(), target.array_dims.begin(), target.array_dims.end());
  }
  return t;
}

TypeCategory Categorize(const CType& type, const TypeContext& ctx) {
  const CType t = ResolveAliases(type, ctx);
  if (ctx.classes.count(t.base) || ctx.structs.count(t.base) || ctx.enums.count(t.base) ||
      ctx.fused.count(t.base)) {
    return TypeCategory::kUser;
  }
  return CategorizeBase(t.base);
}

std::optional<std::string> MapType(const CType& type, const TypeContext& ctx) {
  if (type.empty()) return std::nullopt;
  const CType t = ResolveAliases(type, ctx);
  if (t.memview_dims > 0) {
    CType elem = t;
    elem.memview_dims = 0;
    auto inner = MapType(elem, ctx);
    if (!inner) return t.memview_dims == 1 ? std::optional<std::string>("list") : std::nullopt;
    return WrapList(*inner, t.memview_dims);
  }
  const TypeCategory cat = Categorize(t, ctx);
  const int depth = t.pointer_depth + static_cast<int>(t.array_dims.size());
  if (depth > 0) {
    if (cat == TypeCategory::kChar) {
      return WrapList(t.array_dims.empty() ? "bytes" : "bytearray", depth - 1);
    }
    if (cat == TypeCategory::kVoid || cat == TypeCategory::kUnknown) return std::nullopt;
    if (cat == TypeCategory::kUser && ctx.structs.count(t.base) && t.array_dims.empty()) {
      return std::nullopt;  // a struct pointer is as often a single reference as an array
    }
    CType scalar = t;
    scalar.pointer_depth = 0;
    scalar.array_dims.clear();
    auto inner = MapType(scalar, ctx);
    if (!inner) return std::nullopt;
    return WrapList(*inner, depth);
  }
  if (!t.template_args.empty() || LastComponent(t.base) == "ndarray") return MapTemplate(t, ctx);
  switch (cat) {
    case TypeCategory::kInt:
    case TypeCategory::kChar:
      return "int";
    case TypeCategory::kFloat:
      return "float";
    case TypeCategory::kComplex:
      return "complex";
    case TypeCategory::kBool:
      return "bool";
    case TypeCategory::kVoid:
      return "None";
    case TypeCategory::kPyObject:
      return PyObjectHint(t.base);
    case TypeCategory::kUser:
      return t.base;
    case TypeCategory::kUnknown:
      break;
  }
  if (LastComponent(t.base) == "string") return "bytes";  // libcpp.string
  return std::nullopt;
}

std::string ZeroValue(const CType& type, const TypeContext& ctx) {
  const CType t = ResolveAliases(type, ctx);
  if (t.pointer_depth > 0 || t.memview_dims > 0 || !t.array_dims.empty()) return "None";
  switch (Categorize(t, ctx)) {
    case TypeCategory::kInt:
    case TypeCategory::kChar:
      return "0";
    case TypeCategory::kFloat:
      return "0.0";
    case TypeCategory::kComplex:
      return "0j";
    case TypeCategory::kBool:
      return "False";
    case TypeCategory::kUser:
      if (ctx.structs.count(t.base)) return t.base + "()";
      if (ctx.enums.count(t.base)) return "0";
      return "None";
    default:
      return "None";
  }
}

std::optional<int> SizeOf(const CType& type, const TypeContext& ctx) {
  const CType t = ResolveAliases(type, ctx);
  if (t.pointer_depth > 0) return 8;
  if (t.memview_dims > 0 || !t.template_args.empty()) return std::nullopt;
  static const std::map<std::string, int> kSizes = {
      {"char", 1},          {"signed char", 1},     {"unsigned char", 1},
      {"short", 2},         {"unsigned short", 2},  {"int", 4},
      {"unsigned int", 4},  {"unsigned", 4},        {"long", 8},
      {"unsigned long", 8}, {"long long", 8},       {"unsigned long long", 8},
      {"float", 4},         {"double", 8},          {"long double", 16},
      {"size_t", 8},        {"ssize_t", 8},         {"Py_ssize_t", 8},
      {"bint", 4},          {"ptrdiff_t", 8},       {"intptr_t", 8},
      {"uintptr_t", 8},     {"double complex", 16}, {"float complex", 8}};
  if (auto it = kSizes.find(t.base); it != kSizes.end()) return it->second;
  static const std::regex kFixed(R"(u?int(8|16|32|64)_t|float(32|64)_t)");
  std::smatch m;
  const std::string last = LastComponent(t.base);
  if (std::regex_match(last, m, kFixed)) {
    return std::stoi(m[1].matched ? m[1].str() : m[2].str()) / 8;
  }
  return std::nullopt;
}

std::string CastFunction(const CType& type, const TypeContext& ctx) {
  const CType t = ResolveAliases(type, ctx);
  if (t.pointer_depth > 0 || t.memview_dims > 0) return "";
  if (ctx.enums.count(t.base)) return t.base;
  switch (Categorize(t, ctx)) {
    case TypeCategory::kInt:
    case TypeCategory::kChar:
      return "int";
    case TypeCategory::kFloat:
      return "float";
    case TypeCategory::kComplex:
      return t.base == "complex" ? "" : "complex";
    case TypeCategory::kBool:
      return "bool";
    default:
      return "";
  }
}

bool IsPointerLike(const CType& type) { return type.pointer_depth > 0 || !type.array_dims.empty(); }

}  // namespace cnake::translate
