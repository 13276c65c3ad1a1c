#include "translate/declarations.h"

#include <set>

namespace cnake::translate {
namespace {

using Tokens = std::vector<Token>;

bool IsModifier(const Token& t) {
  return t.Is("public") || t.Is("readonly") || t.Is("api") || t.Is("static") || t.Is("extern") ||
         t.Is("inline") || t.Is("private");
}

// Index of the first depth-0 token equal to `what` in [first, last), or last.
size_t FindTopLevel(const Tokens& toks, size_t first, size_t last, std::string_view what) {
  int depth = 0;
  for (size_t k = first; k < last; ++k) {
    if (toks[k].Is("(") || toks[k].Is("[") || toks[k].Is("{")) {
      if (depth == 0 && toks[k].Is(what)) return k;
      ++depth;
    } else if (toks[k].Is(")") || toks[k].Is("]") || toks[k].Is("}")) {
      --depth;
    } else if (depth == 0 && toks[k].Is(what)) {
      return k;
    }
  }
  return last;
}

// Parses one declarator "[*]name[dims]" in toks[first, last) (no type).
bool ParseDeclaratorTail(std::string_view text, const Tokens& toks, size_t first, size_t last,
                         Declarator* d) {
  size_t k = first;
  while (k < last && (toks[k].Is("*") || toks[k].Is("**"))) {
    d->type.pointer_depth += toks[k].Is("**") ? 2 : 1;
    ++k;
  }
  if (k >= last || !toks[k].IsName()) return false;
  d->name = std::string(toks[k++].text);
  while (k < last && toks[k].Is("[")) {
    const size_t close = MatchingClose(toks, k);
    if (close >= last) return false;
    d->type.array_dims.push_back(Trim(Span(text, toks, k + 1, close)));
    k = close + 1;
  }
  return k == last;
}

Param ParseParam(const std::string& raw) {
  Param p;
  p.raw = raw;
  const Tokens toks = Tokenize(raw);
  if (toks.empty() || toks[0].Is("*") || toks[0].Is("**") || toks[0].Is("/") ||
      FindTopLevel(toks, 0, toks.size(), ":") < toks.size()) {
    p.keep_raw = true;
    return p;
  }
  size_t end = FindTopLevel(toks, 0, toks.size(), "=");
  if (end < toks.size()) p.default_value = Trim(std::string_view(raw).substr(toks[end].end));
  if (end >= 2 && toks[end - 1].Is("None") && (toks[end - 2].Is("not") || toks[end - 2].Is("or"))) {
    end -= 2;
  }
  if (end == 1 && toks[0].IsName()) {
    p.name = std::string(toks[0].text);
    return p;
  }
  // Function pointer "double (*f)(double)": keep the name, drop the type.
  for (size_t k = 0; k + 2 < end; ++k) {
    if (toks[k].Is("(") && toks[k + 1].Is("*") && toks[k + 2].IsName()) {
      p.name = std::string(toks[k + 2].text);
      return p;
    }
  }
  // C array parameter "double a[]" is a pointer.
  size_t name_at = end - 1;
  int extra_pointers = 0;
  while (name_at > 0 && toks[name_at].Is("]")) {
    size_t open = name_at;
    while (open > 0 && !toks[open].Is("[")) --open;
    if (open == 0) break;
    name_at = open - 1;
    ++extra_pointers;
  }
  if (name_at == 0 || !toks[name_at].IsName()) {
    p.keep_raw = true;
    return p;
  }
  p.name = std::string(toks[name_at].text);
  p.type = ParseCType(raw, toks, 0, name_at);
  p.type.pointer_depth += extra_pointers;
  return p;
}

bool IsSignatureTail(const Token& t) {
  static const std::set<std::string_view> kWords = {"except",   "nogil", "gil",  "with",
                                                    "noexcept", "const", "NULL", "MemoryError"};
  return t.kind == TokenKind::kNumber || t.kind == TokenKind::kComment ||
         (t.IsName() && kWords.count(t.text)) || t.Is("?") || t.Is("*") || t.Is("+") || t.Is("-") ||
         t.Is(":") || t.Is(".") || (t.IsName() && t.text.ends_with("Error"));
}

}  // namespace

std::optional<Declaration> ParseDeclaration(std::string_view text) {
  const Tokens toks = Tokenize(text);
  size_t k = 0;
  Declaration decl;
  while (k < toks.size() && IsModifier(toks[k])) decl.modifiers.emplace_back(toks[k++].text);
  size_t n = toks.size();
  while (n > k && toks[n - 1].kind == TokenKind::kComment) --n;
  if (k >= n) return std::nullopt;
  // Declarators are separated by top-level commas; each may have "= value".
  std::vector<std::pair<size_t, size_t>> parts;
  for (size_t start = k; start < n;) {
    const size_t comma = FindTopLevel(toks, start, n, ",");
    parts.emplace_back(start, comma);
    start = comma + 1;
    if (comma == n) break;
  }
  CType base;
  for (size_t p = 0; p < parts.size(); ++p) {
    auto [first, last] = parts[p];
    const size_t eq = FindTopLevel(toks, first, last, "=");
    Declarator d;
    if (eq < last) d.value = Trim(Span(text, toks, eq + 1, last));
    if (p == 0) {
      // The name is the last Name before any trailing array dims.
      size_t name_at = eq;
      while (name_at > first && toks[name_at - 1].Is("]")) {
        int depth = 0;
        size_t open = name_at - 1;
        for (;; --open) {
          if (toks[open].Is("]")) ++depth;
          if (toks[open].Is("[") && --depth == 0) break;
          if (open == first) return std::nullopt;
        }
        if (open == first) return std::nullopt;
        name_at = open;  // keep walking back over "[3][4]"
      }
      if (name_at <= first + 1 || !toks[name_at - 1].IsName()) return std::nullopt;
      --name_at;
      size_t type_end = name_at;
      while (type_end > first && (toks[type_end - 1].Is("*") || toks[type_end - 1].Is("**"))) {
        --type_end;
      }
      base = ParseCType(text, toks, first, type_end);
      if (base.empty()) return std::nullopt;
      d.type = base;
      if (!ParseDeclaratorTail(text, toks, type_end, eq, &d)) return std::nullopt;
    } else {
      d.type = base;
      if (!ParseDeclaratorTail(text, toks, first, eq, &d)) return std::nullopt;
    }
    decl.vars.push_back(std::move(d));
  }
  return decl;
}

std::optional<Signature> ParseSignature(std::string_view body) {
  const Tokens toks = Tokenize(body);
  Signature sig;
  size_t k = 0;
  if (k < toks.size() && toks[k].Is("async")) ++k;
  if (k >= toks.size() || !(toks[k].Is("def") || toks[k].Is("cdef") || toks[k].Is("cpdef"))) {
    return std::nullopt;
  }
  sig.keyword = std::string(toks[k++].text);
  while (k < toks.size() && IsModifier(toks[k])) ++k;
  const size_t open = FindTopLevel(toks, k, toks.size(), "(");
  if (open >= toks.size() || open == k || !toks[open - 1].IsName()) return std::nullopt;
  if (FindTopLevel(toks, k, open, "=") < open) return std::nullopt;
  const size_t close = MatchingClose(toks, open);
  if (close >= toks.size()) return std::nullopt;
  sig.name = std::string(toks[open - 1].text);
  if (open - 1 > k) {
    if (sig.keyword == "def") return std::nullopt;
    sig.return_type = ParseCType(body, toks, k, open - 1);
    if (sig.return_type.empty()) return std::nullopt;
    sig.has_return_type = true;
  }
  for (const std::string& raw : SplitTopLevel(Span(body, toks, open + 1, close))) {
    if (!raw.empty()) sig.params.push_back(ParseParam(raw));
  }
  const size_t colon = FindTopLevel(toks, close + 1, toks.size(), ":");
  size_t tail_end = colon;
  if (colon == toks.size()) {
    while (tail_end > close + 1 && toks[tail_end - 1].kind == TokenKind::kComment) --tail_end;
  }
  if (sig.keyword == "def") {
    sig.python_tail = Trim(Span(body, toks, close + 1, tail_end));
  } else {
    for (size_t t = close + 1; t < tail_end; ++t) {
      if (!IsSignatureTail(toks[t])) return std::nullopt;
    }
  }
  if (colon < toks.size()) {
    sig.has_body = true;
    size_t suite_end = toks.size();
    if (toks.back().kind == TokenKind::kComment) {
      --suite_end;
      sig.comment = std::string(toks.back().text);
    }
    if (colon + 1 < suite_end) sig.suite = Trim(Span(body, toks, colon + 1, suite_end));
  } else if (!toks.empty() && toks.back().kind == TokenKind::kComment) {
    sig.comment = std::string(toks.back().text);
  }
  return sig;
}

std::string RenderVariable(const std::string& name, const std::optional<std::string>& hint,
                           const std::string& value) {
  std::string out = name;
  if (hint) out += ": " + *hint;
  if (!value.empty()) out += " = " + value;
  return out;
}

std::string RenderSignature(const Signature& sig, const ExprEnv& env) {
  std::string params;
  for (const Param& p : sig.params) {
    std::string one;
    if (p.keep_raw) {
      one = RewriteExpression(p.raw, env).text;
    } else {
      const std::optional<std::string> hint =
          p.type.empty() ? std::nullopt : MapType(p.type, *env.types);
      const std::string value =
          p.default_value.empty() ? "" : RewriteExpression(p.default_value, env).text;
      if (hint) {
        one = RenderVariable(p.name, hint, value);
      } else {
        one = value.empty() ? p.name : p.name + "=" + value;
      }
    }
    params += (params.empty() ? "" : ", ") + one;
  }
  std::string out = "def " + sig.name + "(" + params + ")";
  if (sig.keyword == "def") {
    if (!sig.python_tail.empty()) out += " " + sig.python_tail;
  } else if (sig.has_return_type) {
    if (auto hint = MapType(sig.return_type, *env.types)) out += " -> " + *hint;
  }
  return out + ":";
}

bool HintNeedsLazyAnnotations(std::string_view hint) {
  static const std::set<std::string_view> kBuiltins = {
      "int",   "float", "bool",      "complex", "str",  "bytes", "bytearray", "list",      "dict",
      "tuple", "set",   "frozenset", "object",  "type", "slice", "None",      "memoryview"};
  for (const Token& t : Tokenize(hint)) {
    if (t.IsName() && !kBuiltins.count(t.text)) return true;
  }
  return false;
}

}  // namespace cnake::translate
