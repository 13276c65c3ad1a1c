#include "translate/c_semantics.h"

#include <fmt/format.h>

#include <algorithm>

#include "translate/c_render.h"
#include "translate/special_calls.h"

namespace cnake::translate {
namespace {

// Index of the top-level assignment operator in tokens[0, n), or n.
size_t FindAssignment(const std::vector<Token>& toks, size_t n) {
  static const std::set<std::string_view> kOps = {
      "=", "+=", "-=", "*=", "/=", "//=", "%=", "&=", "|=", "^=", "<<=", ">>=", "**="};
  int depth = 0;
  for (size_t k = 0; k < n; ++k) {
    if (toks[k].Is("(") || toks[k].Is("[") || toks[k].Is("{")) ++depth;
    if (toks[k].Is(")") || toks[k].Is("]") || toks[k].Is("}")) --depth;
    if (depth != 0) continue;
    if (toks[k].Is(":") || toks[k].Is("lambda")) return n;  // annotations, lambdas
    if (toks[k].kind == TokenKind::kOp && kOps.count(toks[k].text)) return k;
  }
  return n;
}

std::string AugmentedAssignment(Renderer& lhs_r, const ExprTree& lhs, Renderer& rhs_r,
                                const ExprTree& rhs, const std::string& op, const ExprEnv& env) {
  const Value target = lhs_r.Render(lhs.root());
  const Value v = rhs_r.Render(rhs.root());
  const std::string bin = op.substr(0, op.size() - 1);
  const CNum& t = target.num;
  if ((bin == "+" || bin == "-") && lhs_r.IsPointer(lhs.root()) && v.num.IsInt()) {
    if (env.helpers != nullptr) env.helpers->insert("_ptr_add");
    const std::string k = rhs_r.Observed(v);
    return target.text + " = _ptr_add(" + target.text + ", " + (bin == "-" ? "-" + Paren(k) : k) +
           ")";
  }
  if (!t.IsInt() || !v.num.IsInt()) return target.text + " " + op + " " + rhs_r.Observed(v);
  if ((bin == "/" || bin == "//" || bin == "%") && env.cdivision) {
    const bool nonneg = t.non_negative && v.num.non_negative;
    std::string q;
    if (nonneg) {
      q = Paren(target.text) + (bin == "%" ? " % " : " // ") + Paren(rhs_r.Observed(v));
    } else {
      const std::string helper = bin == "%" ? "_c_mod" : "_c_div";
      if (env.helpers != nullptr) env.helpers->insert(helper);
      q = fmt::format("{}({}, {})", helper, target.text, rhs_r.Observed(v));
    }
    return target.text + " = " + q;
  }
  if (!IsRingOp(bin) && !IsBitOp(bin)) return target.text + " " + op + " " + rhs_r.Observed(v);
  const CNum combined = Promote(t, v.num);
  const std::string rt = SameInt(v.num, combined) ? v.text : rhs_r.Observed(v);
  const bool ro = SameInt(v.num, combined) && v.overflow;
  Value result{target.text + " " + bin + " " + Paren(rt), combined, ro};
  const long long rv = LiteralValue(rhs, rhs.root());
  result.num.non_negative = t.non_negative && v.num.non_negative && bin != "-";
  if (bin == "&") {
    result.overflow = false;
    result.num.non_negative = t.non_negative || v.num.non_negative;
  } else if (bin == "|" || bin == "^") {
    if (result.num.non_negative) result.range_bits = std::max(RangeOf(target), RangeOf(v));
  } else if (bin == "+" && rv >= 0 && rv < 0x10000) {
    result.range_bits = std::max(RangeOf(target), RangeOf(v));  // counting: no wrap in practice
  } else if (combined.is_unsigned) {
    result.overflow = true;
  } else if (bin == "*" || bin == "<<") {
    const int bits = std::max(t.bits, v.num.literal ? 32 : v.num.bits);
    result.overflow = SignedProductMayWrap(-1, rv, true, bits) || ro;
  }
  if (!NeedsWrap(result, t)) return target.text + " " + op + " " + rt;
  return target.text + " = " + WrapTo(result.text, t, env.helpers);
}

bool IsStructValue(const CType& type, const ExprEnv& env) {
  const CType t = ResolveAliases(type, *env.types);
  return !t.empty() && t.pointer_depth == 0 && t.array_dims.empty() &&
         env.types->structs.count(t.base) > 0;
}

bool IsLvalue(const ExprTree& t, int id) {
  const NodeKind k = t.node(id).kind;
  return k == NodeKind::kName || k == NodeKind::kAttr || k == NodeKind::kIndex;
}

std::string CopiedStruct(const std::string& value, const ExprEnv& env) {
  if (env.imports != nullptr) (*env.imports)[""].insert("copy");
  return "copy.deepcopy(" + value + ")";
}

// `for kv in m` over a libcpp map yields (key, value) pairs in key order;
// over an unordered_map, in an unspecified order (here insertion order).
std::optional<std::string> MapIteration(std::string_view stmt, const std::vector<Token>& toks,
                                        size_t first, size_t last, const ExprEnv& env) {
  const std::string source(Span(stmt, toks, first, last));
  const std::string kind = ContainerKind(ResolveAliases(DeclaredTypeOf(source, env), *env.types));
  if (kind == "map") return "sorted(" + source + ".items())";
  if (kind == "unordered_map") return source + ".items()";
  return std::nullopt;
}

// Whether `lhs` is a slice (m[a:b], m[:]) of a memoryview, C array or pointer.
bool IsSliceOfBuffer(const ExprTree& lhs, const ExprEnv& env) {
  const ExprNode& n = lhs.node(lhs.root());
  if (n.kind != NodeKind::kIndex || lhs.node(n.kids[1]).kind != NodeKind::kSlice) return false;
  const CType base = ResolveAliases(DeclaredTypeOf(lhs.Source(n.kids[0]), env), *env.types);
  return base.memview_dims > 0 || base.pointer_depth > 0 || !base.array_dims.empty();
}

struct Region {
  size_t first, last;  // token range of one expression in the statement
  bool has_target = false;
  CNum target;
};

std::string RewriteRegions(std::string_view stmt, const std::vector<Token>& toks,
                           const std::vector<Region>& regions, const ExprEnv& env) {
  std::string out;
  size_t pos = 0;
  for (const Region& r : regions) {
    if (r.first >= r.last) continue;
    ExprTree tree(stmt, toks, r.first, r.last);
    if (tree.root() < 0) continue;
    Renderer ren(tree, env);
    const Value v = ren.Render(tree.root());
    const std::string text = r.has_target ? ren.Coerced(v, r.target) : ren.Observed(v);
    out.append(stmt.substr(pos, toks[r.first].begin - pos));
    out += text;
    pos = toks[r.last - 1].end;
  }
  out.append(stmt.substr(pos));
  return out;
}

}  // namespace

std::string ApplyCSemantics(std::string_view stmt, const ExprEnv& env) {
  const std::vector<Token> toks = Tokenize(stmt);
  const size_t n = CodeEnd(toks);
  if (n == 0 || env.types == nullptr) return std::string(stmt);
  const Token& head = toks[0];
  const size_t body_end = toks[n - 1].Is(":") ? n - 1 : n;
  if (head.Is("return")) {
    Region r{1, n, false, {}};
    if (!env.return_type.empty()) {
      r.has_target = true;
      r.target = NumOf(env.return_type, *env.types);
    }
    return RewriteRegions(stmt, toks, {r}, env);
  }
  if (head.Is("if") || head.Is("elif") || head.Is("while") || head.Is("assert")) {
    return RewriteRegions(stmt, toks, {{1, body_end}}, env);
  }
  if (head.Is("for")) {
    for (size_t k = 1; k < body_end; ++k) {
      if (!toks[k].Is("in")) continue;
      if (std::optional<std::string> items = MapIteration(stmt, toks, k + 1, body_end, env)) {
        return std::string(stmt.substr(0, toks[k + 1].begin)) + *items +
               std::string(stmt.substr(toks[body_end - 1].end));
      }
      return RewriteRegions(stmt, toks, {{k + 1, body_end}}, env);
    }
    return std::string(stmt);
  }
  static const std::set<std::string_view> kOther = {
      "def",  "class", "import",   "from",   "with",     "try",    "except", "finally", "else",
      "pass", "break", "continue", "global", "nonlocal", "lambda", "cdef",   "cpdef",   "ctypedef",
      "del",  "raise", "yield",    "print",  "async",    "await",  "DEF",    "cimport", "include"};
  if (head.IsName() && kOther.count(head.text)) return std::string(stmt);
  const size_t eq = FindAssignment(toks, n);
  if (eq == n) return RewriteRegions(stmt, toks, {{0, n}}, env);
  if (FindAssignment(std::vector<Token>(toks.begin() + eq + 1, toks.begin() + n), n - eq - 1) !=
      n - eq - 1) {
    return std::string(stmt);  // chained assignment: leave as is
  }
  ExprTree lhs(stmt, toks, 0, eq);
  ExprTree rhs(stmt, toks, eq + 1, n);
  if (lhs.root() < 0 || rhs.root() < 0) return std::string(stmt);
  Renderer lr(lhs, env), rr(rhs, env, lhs.Source(lhs.root()));
  std::string text;
  if (toks[eq].Is("=")) {
    const Value target = lr.Render(lhs.root());
    const Value value = rr.Render(rhs.root());
    std::string coerced = rr.Coerced(value, target.num);
    if (IsStructValue(lr.Declared(lhs.root()), env) && IsLvalue(rhs, rhs.root())) {
      coerced = CopiedStruct(coerced, env);  // C assigns structs by value
    }
    if (IsSliceOfBuffer(lhs, env) && value.num.IsC()) {
      // m[a:b] = 0 broadcasts a scalar into a memoryview slice.
      coerced = "[" + coerced + "] * len(" + target.text + ")";
    }
    if (target.text == lhs.Source(lhs.root()) && coerced == rhs.Source(rhs.root())) {
      return std::string(stmt);
    }
    text = target.text + " = " + coerced;
  } else {
    const std::string op(toks[eq].text);
    text = AugmentedAssignment(lr, lhs, rr, rhs, op, env);
    if (text == lhs.Source(lhs.root()) + " " + op + " " + rhs.Source(rhs.root())) {
      return std::string(stmt);
    }
  }
  return text + std::string(stmt.substr(toks[n - 1].end));
}

std::string CoerceInitializer(std::string_view value, const CType& target, const ExprEnv& env) {
  const std::vector<Token> toks = Tokenize(value);
  const size_t n = CodeEnd(toks);
  if (n == 0 || env.types == nullptr) return std::string(value);
  if (IsStructValue(target, env)) {
    ExprTree tree(value, toks, 0, n);
    if (tree.root() >= 0 && IsLvalue(tree, tree.root())) {
      return CopiedStruct(std::string(value), env);
    }
  }
  return RewriteRegions(value, toks, {{0, n, true, NumOf(target, *env.types)}}, env);
}

CType DeclaredTypeOf(std::string_view expression, const ExprEnv& env) {
  const std::vector<Token> toks = Tokenize(expression);
  ExprTree tree(expression, toks, 0, CodeEnd(toks));
  if (tree.root() < 0 || env.types == nullptr) return CType{};
  return Renderer(tree, env).Declared(tree.root());
}

}  // namespace cnake::translate
