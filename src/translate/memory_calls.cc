#include "translate/memory_calls.h"

#include <fmt/format.h>

#include "translate/c_semantics.h"

namespace cnake::translate {
namespace {

using Tokens = std::vector<Token>;

std::string Py(std::string_view cython, const ExprEnv& env) {
  return RewriteExpression(cython, env).text;
}

bool IsPrimaryText(const std::string& s) {
  const Tokens toks = Tokenize(s);
  for (size_t k = 0; k < toks.size(); ++k) {
    if (toks[k].Is("(") || toks[k].Is("[")) {
      k = MatchingClose(toks, k);
      continue;
    }
    if (toks[k].kind == TokenKind::kOp && !toks[k].Is(".")) return false;
  }
  return true;
}

std::string Paren(const std::string& s) { return IsPrimaryText(s) ? s : "(" + s + ")"; }

// Dotted name "a" or "self.a" spanning all of toks[first, last).
bool IsPath(const Tokens& toks, size_t first, size_t last) {
  if (first >= last || !toks[first].IsName()) return false;
  for (size_t k = first + 1; k < last; k += 2) {
    if (k + 1 >= last || !toks[k].Is(".") || !toks[k + 1].IsName()) return false;
  }
  return true;
}

bool IsCharLike(const CType& elem, const TypeContext& ctx) {
  if (elem.empty() || elem.pointer_depth > 0) return false;
  const TypeCategory cat = Categorize(elem, ctx);
  return cat == TypeCategory::kChar || ResolveAliases(elem, ctx).base == "void";
}

// Element count for a byte count; "" when it cannot be known.
std::string CountOf(std::string_view bytes, CType* elem, const ExprEnv& env) {
  const Tokens toks = Tokenize(bytes);
  // sizeof(array_variable): the whole (1-D) array.
  if (toks.size() >= 4 && toks[0].Is("sizeof") && toks[1].Is("(") &&
      MatchingClose(toks, 1) == toks.size() - 1 && IsPath(toks, 2, toks.size() - 1)) {
    const std::string name(Span(bytes, toks, 2, toks.size() - 1));
    auto it = env.var_types.find(name);
    if (it != env.var_types.end()) {
      const CType t = ResolveAliases(it->second, *env.types);
      if (t.array_dims.size() != 1) return "";
      if (elem->empty()) *elem = ElementTypeOf(t);
      return "len(" + Py(name, env) + ")";
    }
  }
  return ElementCount(bytes, elem, env);
}

// A literal integer argument, if it is one ("0", "-1", "0xFF").
std::optional<long long> IntLiteral(std::string_view text) {
  std::string s = Trim(text);
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s = Trim(s.substr(1));
  }
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  try {
    size_t used = 0;
    const long long v = std::stoll(s, &used, 0);
    if (used != s.size()) return std::nullopt;
    return negative ? -v : v;
  } catch (...) {
    return std::nullopt;
  }
}

// The element value every byte set to `byte` produces, for non-char elements.
std::optional<std::string> FilledElement(const CType& elem, long long byte, const ExprEnv& env) {
  const TypeContext& ctx = *env.types;
  const CType r = ResolveAliases(elem, ctx);
  const int b = static_cast<int>(byte & 0xFF);
  if (b == 0) {
    if (r.pointer_depth == 0 && ctx.structs.count(r.base)) return std::nullopt;  // see caller
    return ZeroValue(elem, ctx);
  }
  const CNum num = NumOf(elem, ctx);
  if (!num.IsInt()) return std::nullopt;  // a byte pattern in a double has no simple value
  unsigned long long v = 0;
  for (int k = 0; k < num.bits / 8; ++k) v = (v << 8) | static_cast<unsigned>(b);
  if (!num.is_unsigned && num.bits < 64 && (v >> (num.bits - 1)) != 0) {
    return std::to_string(static_cast<long long>(v) - (1LL << num.bits));
  }
  if (!num.is_unsigned && num.bits == 64) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

StatementRewrite Untranslatable(std::string reason) {
  StatementRewrite r;
  r.action = StatementAction::kUntranslatable;
  r.reason = std::move(reason);
  return r;
}

StatementRewrite Replace(std::string text) {
  StatementRewrite r;
  r.action = StatementAction::kReplace;
  r.text = std::move(text);
  return r;
}

StatementRewrite RewriteMemset(const std::vector<std::string>& args, const ExprEnv& env) {
  std::optional<BufferRef> dst = ParseBufferRef(args[0], env);
  if (!dst) return Untranslatable("memset of something that is not a buffer");
  CType elem = dst->element;
  const std::string count = CountOf(args[2], &elem, env);
  if (count.empty()) return Untranslatable("memset of a multi-dimensional array");
  const std::string slice = SliceOf(*dst, count);
  const std::optional<long long> byte = IntLiteral(args[1]);
  if (IsCharLike(elem, *env.types) || elem.empty()) {
    const std::string value =
        byte ? std::to_string(*byte & 0xFF) : "(" + Py(args[1], env) + ") & 0xFF";
    if (elem.empty() && !(byte && *byte == 0)) {
      return Untranslatable("memset of a buffer whose element type is unknown");
    }
    if (elem.empty()) return Replace(fmt::format("{} = [0] * {}", slice, Paren(count)));
    return Replace(fmt::format("{} = bytes([{}]) * {}", slice, value, Paren(count)));
  }
  if (!byte) return Untranslatable("memset with a computed byte on non-char elements");
  const CType r = ResolveAliases(elem, *env.types);
  if ((*byte & 0xFF) == 0 && r.pointer_depth == 0 && env.types->structs.count(r.base)) {
    return Replace(fmt::format("{} = [{}() for _ in range({})]", slice, r.base, count));
  }
  std::optional<std::string> value = FilledElement(elem, *byte, env);
  if (!value) return Untranslatable("memset byte pattern on floating-point elements");
  return Replace(fmt::format("{} = [{}] * {}", slice, *value, Paren(count)));
}

StatementRewrite RewriteMemcpy(const std::vector<std::string>& args, const ExprEnv& env) {
  std::optional<BufferRef> dst = ParseBufferRef(args[0], env);
  std::optional<BufferRef> src = ParseBufferRef(args[1], env);
  if (!dst || !src) return Untranslatable("memcpy between things that are not buffers");
  CType elem = !dst->element.empty() ? dst->element : src->element;
  const std::string count = CountOf(args[2], &elem, env);
  if (count.empty()) return Untranslatable("memcpy of a multi-dimensional array");
  const CType r = ResolveAliases(elem, *env.types);
  if (r.pointer_depth == 0 && env.types->structs.count(r.base)) {
    // Struct values are objects: copy them, or both buffers would share them.
    StatementRewrite out = Replace(fmt::format("{} = [copy.copy(_v) for _v in {}]",
                                               SliceOf(*dst, count), SliceOf(*src, count)));
    out.imports.emplace_back("", "copy");  // a plain `import copy`
    return out;
  }
  return Replace(fmt::format("{} = {}", SliceOf(*dst, count), SliceOf(*src, count)));
}

StatementRewrite RewriteQsort(const std::vector<std::string>& args, const ExprEnv& env) {
  std::optional<BufferRef> base = ParseBufferRef(args[0], env);
  const Tokens cmp = Tokenize(args[3]);
  if (!base || cmp.size() != 1 || !cmp[0].IsName()) {
    return Untranslatable("qsort of something that is not a buffer, or with a computed comparator");
  }
  CType elem = base->element;
  if (elem.empty()) ElementCount(args[2], &elem, env);
  const std::string count = Py(args[1], env);
  const std::string slice = SliceOf(*base, count);
  const CType r = ResolveAliases(elem, *env.types);
  const bool record = r.pointer_depth == 0 && env.types->structs.count(r.base);
  // The C comparator reads through its pointers (x = (<int*>a)[0]): scalars
  // are passed boxed in one-element lists; structs are references already.
  const std::string name(cmp[0].text);
  const std::string key = record ? fmt::format("cmp_to_key({})", name)
                                 : fmt::format("cmp_to_key(lambda a, b: {}([a], [b]))", name);
  StatementRewrite out = Replace(fmt::format("{} = sorted({}, key={})", slice, slice, key));
  out.imports.emplace_back("functools", "cmp_to_key");
  return out;
}

}  // namespace

std::optional<BufferRef> ParseBufferRef(std::string_view arg, const ExprEnv& env) {
  const Tokens toks = Tokenize(arg);
  size_t first = 0;
  const size_t last = CodeEnd(toks);
  if (first < last && toks[first].Is("<")) {  // a pointer cast: <T*>p
    while (first < last && !toks[first].Is(">")) ++first;
    ++first;
  }
  if (first >= last) return std::nullopt;
  BufferRef ref;
  std::string path;
  if (toks[first].Is("&")) {  // &p[k]
    size_t open = first + 1;
    while (open < last && !toks[open].Is("[")) ++open;
    if (open >= last || !IsPath(toks, first + 1, open) || MatchingClose(toks, open) != last - 1) {
      return std::nullopt;
    }
    path = std::string(Span(arg, toks, first + 1, open));
    const std::string index = Trim(Span(arg, toks, open + 1, last - 1));
    if (index != "0") ref.offset = Py(index, env);
  } else {
    size_t plus = first;
    while (plus < last && !toks[plus].Is("+")) ++plus;
    if (!IsPath(toks, first, plus)) return std::nullopt;
    path = std::string(Span(arg, toks, first, plus));
    if (plus < last) ref.offset = Py(Span(arg, toks, plus + 1, last), env);
  }
  const CType declared = ResolveAliases(DeclaredTypeOf(path, env), *env.types);
  if (!declared.empty() && declared.pointer_depth == 0 && declared.array_dims.empty() &&
      declared.memview_dims == 0 && declared.template_args.empty()) {
    return std::nullopt;  // a scalar or struct: not a buffer
  }
  ref.base = Py(path, env);
  ref.element = ElementTypeOf(declared);
  return ref;
}

std::string SliceOf(const BufferRef& ref, const std::string& count) {
  if (ref.offset.empty()) return fmt::format("{}[:{}]", ref.base, count);
  return fmt::format("{}[{}:{} + {}]", ref.base, ref.offset, Paren(ref.offset), Paren(count));
}

StatementRewrite RewriteMemoryCall(const std::string& head, const std::vector<std::string>& args,
                                   const ExprEnv& env) {
  if (head == "memset" && args.size() == 3) return RewriteMemset(args, env);
  if ((head == "memcpy" || head == "memmove") && args.size() == 3) {
    return RewriteMemcpy(args, env);
  }
  if (head == "qsort" && args.size() == 4) return RewriteQsort(args, env);
  return StatementRewrite{};
}

std::string RewriteMemcmp(const std::vector<std::string>& args, bool equality_only,
                          const ExprEnv& env, std::string* failure) {
  if (args.size() != 3) {
    *failure = "memcmp with an unexpected argument list";
    return "";
  }
  std::optional<BufferRef> a = ParseBufferRef(args[0], env);
  std::optional<BufferRef> b = ParseBufferRef(args[1], env);
  if (!a || !b) {
    *failure = "memcmp of something that is not a buffer";
    return "";
  }
  CType elem = !a->element.empty() ? a->element : b->element;
  const std::string count = CountOf(args[2], &elem, env);
  // Element-wise comparison orders like memcmp's bytes only for char buffers;
  // for wider elements only equality is the same.
  if (count.empty() || (!IsCharLike(elem, *env.types) && !equality_only)) {
    *failure = "memcmp ordering of multi-byte elements";
    return "";
  }
  if (env.helpers != nullptr) env.helpers->insert("_c_memcmp");
  return fmt::format("_c_memcmp({}, {})", SliceOf(*a, count), SliceOf(*b, count));
}

}  // namespace cnake::translate
