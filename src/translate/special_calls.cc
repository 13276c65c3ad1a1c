#include "translate/special_calls.h"

#include <fmt/format.h>

#include "translate/c_semantics.h"
#include "translate/memory_calls.h"

namespace cnake::translate {
namespace {

using Tokens = std::vector<Token>;

std::string Py(std::string_view s, const ExprEnv& env) { return RewriteExpression(s, env).text; }

std::string Compact(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n') out += c;
  }
  return out;
}

// End (exclusive) of the dotted name starting at toks[at].
size_t PathEnd(const Tokens& toks, size_t at) {
  size_t k = at + 1;
  while (k + 1 < toks.size() && toks[k].Is(".") && toks[k + 1].IsName()) k += 2;
  return k;
}

// Index of the '.' before the method name when toks[at...] is a method call
// on a receiver made of names, attributes and subscripts (v.size(),
// self.items.push_back(x), grid[i].size()); 0 otherwise.
size_t MethodDot(const Tokens& toks, size_t at) {
  size_t k = at + 1;
  while (k < toks.size()) {
    if (toks[k].Is("[")) {
      k = MatchingClose(toks, k) + 1;
      continue;
    }
    if (!toks[k].Is(".") || k + 1 >= toks.size() || !toks[k + 1].IsName()) break;
    if (k + 2 < toks.size() && toks[k + 2].Is("(")) return k;
    k += 2;
  }
  return 0;
}

void Use(const ExprEnv& env, const std::string& module, const std::string& name) {
  if (env.imports != nullptr) (*env.imports)[module].insert(name);
}

std::string ZeroOfArg(const CType& type, size_t k, const TypeContext& ctx) {
  if (k >= type.template_args.size()) return "None";
  return ZeroValue(ParseCType(type.template_args[k]), ctx);
}

struct MethodCall {
  std::string recv;  // Python text of the receiver
  std::string method;
  std::vector<std::string> args;  // Python texts
};

std::optional<std::string> SequenceMethod(const MethodCall& c, const CType& type,
                                          const ExprEnv& env) {
  const std::string& r = c.recv;
  const std::string& m = c.method;
  const size_t n = c.args.size();
  if ((m == "push_back" || m == "emplace_back") && n == 1) {
    // C++ stores a copy: structs and containers must not stay shared.
    const CType elem = ResolveAliases(ElementTypeOf(type), *env.types);
    const bool value_object = elem.pointer_depth == 0 &&
                              (env.types->structs.count(elem.base) || !ContainerKind(elem).empty());
    const std::string& a = c.args[0];
    if (value_object && !a.empty() && a[0] != '(' && a[0] != '[') {
      Use(env, "", "copy");
      return r + ".append(copy.deepcopy(" + a + "))";
    }
    return r + ".append(" + a + ")";
  }
  if (m == "pop_back" && n == 0) return r + ".pop()";
  if (m == "back" && n == 0) return r + "[-1]";
  if (m == "front" && n == 0) return r + "[0]";
  if (m == "at" && n == 1) return r + "[" + c.args[0] + "]";
  if (m == "reserve" && n == 1) return std::string("pass");  // lists grow on demand
  if (m == "resize" && (n == 1 || n == 2)) {
    const std::string fill = n == 2 ? c.args[1] : ZeroOfArg(type, 0, *env.types);
    const std::string size = c.args[0];
    return fmt::format("{}[:] = {}[:{}] + [{}] * ({} - len({}))", r, r, size, fill, size, r);
  }
  return std::nullopt;
}

std::optional<std::string> MapMethod(const MethodCall& c) {
  const std::string& r = c.recv;
  const std::string& m = c.method;
  if (c.args.size() != 1) return std::nullopt;
  if (m == "count") return "(" + c.args[0] + " in " + r + ")";
  if (m == "at") return r + "[" + c.args[0] + "]";
  if (m == "erase") return r + ".pop(" + c.args[0] + ", None)";
  return std::nullopt;
}

std::optional<std::string> HeapMethod(const MethodCall& c, const ExprEnv& env) {
  const std::string& r = c.recv;
  if (c.method == "push" && c.args.size() == 1) {
    Use(env, "heapq", "heappush");
    if (env.helpers != nullptr) env.helpers->insert("_MaxFirst");
    return fmt::format("heappush({}, _MaxFirst({}))", r, c.args[0]);
  }
  if (c.method == "top" && c.args.empty()) return r + "[0].value";
  if (c.method == "pop" && c.args.empty()) {
    Use(env, "heapq", "heappop");
    return "heappop(" + r + ")";
  }
  return std::nullopt;
}

std::optional<std::string> ContainerMethod(const std::string& kind, const MethodCall& c,
                                           const CType& type, const ExprEnv& env) {
  const std::string& r = c.recv;
  if (c.args.empty()) {
    if (c.method == "size") return "len(" + r + ")";
    if (c.method == "empty") return "(len(" + r + ") == 0)";
    if (c.method == "clear") return r + ".clear()";
  }
  if (kind == "vector" || kind == "deque" || kind == "list") return SequenceMethod(c, type, env);
  if (kind == "map" || kind == "unordered_map") return MapMethod(c);
  if (kind == "priority_queue") return HeapMethod(c, env);
  if (kind == "set" || kind == "unordered_set") {
    if (c.method == "insert" && c.args.size() == 1) return r + ".add(" + c.args[0] + ")";
    if (c.method == "count" && c.args.size() == 1) return "(" + c.args[0] + " in " + r + ")";
    if (c.method == "erase" && c.args.size() == 1) return r + ".discard(" + c.args[0] + ")";
  }
  if (kind == "queue" || kind == "stack") {
    if (c.method == "push" && c.args.size() == 1) return r + ".append(" + c.args[0] + ")";
    if (c.method == "front" && c.args.empty()) return r + "[0]";
    if (c.method == "top" && c.args.empty()) return r + "[-1]";
    if (c.method == "pop" && c.args.empty()) return kind == "queue" ? r + ".pop(0)" : r + ".pop()";
  }
  return std::nullopt;
}

// recv.method(args) on a libcpp container, where toks[dot] is the '.' before
// the method name; `find(k) != recv.end()` is read as one membership test.
std::optional<SpecialCall> ContainerCall(std::string_view text, const Tokens& toks, size_t at,
                                         size_t dot, const ExprEnv& env) {
  const std::string recv_src(Span(text, toks, at, dot));
  const CType type = ResolveAliases(DeclaredTypeOf(recv_src, env), *env.types);
  const std::string kind = ContainerKind(type);
  const size_t path_end = dot + 2;  // the '(' of the call
  if (kind.empty()) return std::nullopt;
  const size_t close = MatchingClose(toks, path_end);
  if (close >= toks.size()) return std::nullopt;
  MethodCall c{Py(recv_src, env), std::string(toks[dot + 1].text), {}};
  for (const std::string& a : SplitTopLevel(Span(text, toks, path_end + 1, close))) {
    if (!a.empty()) c.args.push_back(Py(a, env));
  }
  SpecialCall out;
  out.end = close + 1;
  if (c.method == "find" && c.args.size() == 1 && close + 1 < toks.size() &&
      (toks[close + 1].Is("!=") || toks[close + 1].Is("=="))) {
    const std::string end_call = Compact(recv_src) + ".end()";
    size_t k = close + 2;
    std::string seen;
    while (k < toks.size() && seen.size() < end_call.size()) seen += toks[k++].text;
    if (seen == end_call) {
      const bool in = toks[close + 1].Is("!=");
      out.text = c.args[0] + (in ? " in " : " not in ") + c.recv;
      out.end = k;
      return out;
    }
  }
  static const std::set<std::string> kCppMethods = {
      "push_back", "emplace_back", "pop_back", "back",     "front",        "at",   "reserve",
      "resize",    "size",         "empty",    "clear",    "count",        "find", "erase",
      "insert",    "push",         "pop",      "top",      "begin",        "end",  "emplace",
      "swap",      "assign",       "data",     "capacity", "shrink_to_fit"};
  if (!kCppMethods.count(c.method)) return std::nullopt;  // already Python (items, append)
  std::optional<std::string> rewritten = ContainerMethod(kind, c, type, env);
  if (!rewritten) {
    out.failure = "libcpp " + kind + "." + c.method + "() has no Python translation here";
    return out;
  }
  out.text = *rewritten;
  return out;
}

// cython.view.array(shape=(a, b), itemsize=..., format="d") -> nested lists.
std::optional<SpecialCall> ViewArray(std::string_view text, const Tokens& toks, size_t open,
                                     const ExprEnv& env) {
  const size_t close = MatchingClose(toks, open);
  if (close >= toks.size()) return std::nullopt;
  std::vector<std::string> dims;
  std::string zero = "0";
  bool itemsize = false;
  for (const std::string& a : SplitTopLevel(Span(text, toks, open + 1, close))) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = Trim(a.substr(0, eq));
    std::string value = Trim(a.substr(eq + 1));
    if (key == "itemsize") itemsize = true;
    if (key == "format" && value.size() >= 3)
      zero = value[1] == 'd' || value[1] == 'f' ? "0.0" : "0";
    if (key == "shape") {
      if (value.size() >= 2 && value.front() == '(') value = value.substr(1, value.size() - 2);
      for (const std::string& d : SplitTopLevel(value)) {
        if (!d.empty()) dims.push_back(Py(d, env));
      }
    }
  }
  if (!itemsize || dims.empty()) return std::nullopt;
  std::string value = fmt::format("[{}] * {}", zero, dims.back());
  for (size_t k = dims.size() - 1; k-- > 0;) {
    value = fmt::format("[{} for _ in range({})]", value, dims[k]);
  }
  return SpecialCall{value, close + 1, ""};
}

// f(..., &arr[k], ...) for a module function f.
std::optional<SpecialCall> OffsetPointerArgs(std::string_view text, const Tokens& toks, size_t at,
                                             const ExprEnv& env) {
  auto fn = env.functions->find(std::string(toks[at].text));
  const size_t close = MatchingClose(toks, at + 1);
  if (fn == env.functions->end() || close >= toks.size()) return std::nullopt;
  const std::vector<std::string> args = SplitTopLevel(Span(text, toks, at + 2, close));
  bool any = false;
  SpecialCall out;
  out.end = close + 1;
  std::string joined;
  for (size_t k = 0; k < args.size(); ++k) {
    std::string py;
    const Tokens a = Tokenize(args[k]);
    if (a.size() >= 5 && a[0].Is("&") && a[1].IsName() && a[2].Is("[") &&
        MatchingClose(a, 2) == a.size() - 1 && Trim(Span(args[k], a, 3, a.size() - 1)) != "0") {
      std::optional<BufferRef> ref = ParseBufferRef(args[k], env);
      const std::string param = k < fn->second.param_names.size() ? fn->second.param_names[k] : "";
      if (ref && !fn->second.written_pointer_params.count(param)) {
        py = ref->base + "[" + ref->offset + ":]";  // the callee only reads: a copy is enough
        any = true;
      } else {
        out.failure = "pointer into the middle of an array passed to a function that writes it";
      }
    }
    if (py.empty()) py = Py(args[k], env);
    joined += (k ? ", " : "") + py;
  }
  if (!any && out.failure.empty()) return std::nullopt;
  out.text = std::string(toks[at].text) + "(" + joined + ")";
  return out;
}

// vector[T](), vector[T](n) and vector[T](n, value).
std::optional<SpecialCall> SequenceConstructor(std::string_view text, const Tokens& toks, size_t at,
                                               const ExprEnv& env) {
  const size_t bracket = MatchingClose(toks, at + 1);
  if (bracket + 1 >= toks.size() || !toks[bracket + 1].Is("(")) return std::nullopt;
  const CType type = ResolveAliases(ParseCType(text, toks, at, bracket + 1), *env.types);
  const std::string kind = ContainerKind(type);
  if (kind != "vector" && kind != "deque") return std::nullopt;
  const size_t close = MatchingClose(toks, bracket + 1);
  if (close >= toks.size()) return std::nullopt;
  std::vector<std::string> args;
  for (const std::string& a : SplitTopLevel(Span(text, toks, bracket + 2, close))) {
    if (!a.empty()) args.push_back(Py(a, env));
  }
  if (args.size() > 2) return std::nullopt;
  if (args.empty()) return SpecialCall{"[]", close + 1, ""};
  const std::string fill = args.size() == 2 ? args[1] : ZeroOfArg(type, 0, *env.types);
  return SpecialCall{fmt::format("[{}] * ({})", fill, args[0]), close + 1, ""};
}

// sort(v.begin(), v.end()) from libcpp.algorithm.
std::optional<SpecialCall> SortCall(std::string_view text, const Tokens& toks, size_t at,
                                    const ExprEnv& env) {
  const size_t close = MatchingClose(toks, at + 1);
  if (close >= toks.size()) return std::nullopt;
  const std::vector<std::string> args = SplitTopLevel(Span(text, toks, at + 2, close));
  if (args.size() != 2) return std::nullopt;
  const std::string a = Compact(args[0]), b = Compact(args[1]);
  if (!a.ends_with(".begin()") || !b.ends_with(".end()")) return std::nullopt;
  const std::string recv = a.substr(0, a.size() - 8);
  if (recv != b.substr(0, b.size() - 6)) return std::nullopt;
  return SpecialCall{Py(recv, env) + ".sort()", close + 1, ""};
}

}  // namespace

std::string ContainerKind(const CType& type) {
  if (type.template_args.empty() || type.pointer_depth > 0) return "";
  const std::string last = type.base.substr(type.base.rfind('.') + 1);
  static const std::set<std::string> kKinds = {
      "vector", "deque",         "list",           "map",   "unordered_map",
      "set",    "unordered_set", "priority_queue", "queue", "stack"};
  return kKinds.count(last) ? last : "";
}

std::string ContainerDefault(const CType& type, const TypeContext& ctx, bool* needs_defaultdict) {
  const std::string kind = ContainerKind(ResolveAliases(type, ctx));
  if (kind.empty()) return "";
  if (kind == "set" || kind == "unordered_set") return "set()";
  if (kind != "map" && kind != "unordered_map") return "[]";
  // C++ operator[] inserts a value-initialised entry: a defaultdict does too.
  const CType value = type.template_args.size() == 2 ? ParseCType(type.template_args[1]) : CType{};
  std::string factory;
  switch (value.empty() ? TypeCategory::kUnknown : Categorize(value, ctx)) {
    case TypeCategory::kInt:
    case TypeCategory::kChar:
      factory = "int";
      break;
    case TypeCategory::kFloat:
      factory = "float";
      break;
    case TypeCategory::kBool:
      factory = "bool";
      break;
    default:
      if (ctx.structs.count(value.base)) factory = value.base;
      if (ContainerKind(value) == "vector") factory = "list";
  }
  if (factory.empty()) return "{}";
  *needs_defaultdict = true;
  return "defaultdict(" + factory + ")";
}

std::optional<SpecialCall> RewriteSpecialCall(std::string_view text, const std::vector<Token>& toks,
                                              size_t at, const ExprEnv& env) {
  const size_t path_end = PathEnd(toks, at);
  if (path_end >= toks.size()) return std::nullopt;
  const std::string name(toks[at].text);
  if (const size_t dot = MethodDot(toks, at); dot != 0) {
    if (auto c = ContainerCall(text, toks, at, dot, env)) return c;
  }
  if (path_end == at + 1 && toks[at + 1].Is("[")) {
    if (auto c = SequenceConstructor(text, toks, at, env)) return c;
  }
  if (path_end == at + 1 && name == "pair" && toks[at + 1].Is("[")) {
    const size_t after = MatchingClose(toks, at + 1) + 1;
    if (after < toks.size() && toks[after].Is("(")) {
      const size_t close = MatchingClose(toks, after);
      if (close < toks.size()) {
        return SpecialCall{"(" + Py(Span(text, toks, after + 1, close), env) + ")", close + 1, ""};
      }
    }
  }
  if (!toks[path_end].Is("(")) return std::nullopt;
  const bool c_name = env.c_names != nullptr && env.c_names->count(name);
  if (path_end == at + 1 && name == "make_pair") {
    const size_t close = MatchingClose(toks, at + 1);
    if (close < toks.size()) {
      return SpecialCall{"(" + Py(Span(text, toks, at + 2, close), env) + ")", close + 1, ""};
    }
  }
  if (path_end == at + 1 && name == "sort" && c_name) return SortCall(text, toks, at, env);
  if (path_end == at + 1 && name == "memcmp" && c_name) {
    const size_t close = MatchingClose(toks, at + 1);
    if (close >= toks.size()) return std::nullopt;
    const bool eq = close + 2 < toks.size() &&
                    (toks[close + 1].Is("==") || toks[close + 1].Is("!=")) &&
                    toks[close + 2].Is("0");
    SpecialCall out;
    out.text = RewriteMemcmp(SplitTopLevel(Span(text, toks, at + 2, close)), eq, env, &out.failure);
    out.end = close + 1;
    return out;
  }
  if (auto v = ViewArray(text, toks, path_end, env)) return v;
  if (path_end == at + 1 && env.functions != nullptr) return OffsetPointerArgs(text, toks, at, env);
  return std::nullopt;
}

}  // namespace cnake::translate
