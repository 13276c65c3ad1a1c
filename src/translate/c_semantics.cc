#include "translate/c_semantics.h"

#include <fmt/format.h>

#include <algorithm>

#include "translate/cimports.h"
#include "translate/expr_tree.h"

namespace cnake::translate {
namespace {

// A rendered subtree: its Python-bound text (still Cython syntax otherwise),
// its C type, and whether its value may lie outside that type's range
// because C would have wrapped it and Python did not.
struct Value {
  std::string text;
  CNum num;
  bool overflow = false;
};

bool IsRingOp(const std::string& op) { return op == "+" || op == "-" || op == "*" || op == "<<"; }
bool IsBitOp(const std::string& op) { return op == "&" || op == "|" || op == "^"; }
bool SameInt(const CNum& a, const CNum& b) {
  return a.IsInt() && b.IsInt() && a.bits == b.bits && a.is_unsigned == b.is_unsigned;
}

bool IsSimple(const std::string& text) {
  const std::vector<Token> toks = Tokenize(text);
  if (toks.empty()) return true;
  if (toks.front().Is("-") || toks.front().Is("~") || toks.front().Is("not")) return false;
  int depth = 0;
  for (const Token& t : toks) {
    if (t.Is("(") || t.Is("[") || t.Is("{")) ++depth;
    if (t.Is(")") || t.Is("]") || t.Is("}")) --depth;
    if (depth == 0 && t.kind == TokenKind::kOp && !t.Is(".") && !t.Is(")") && !t.Is("]"))
      return false;
    if (depth == 0 && t.IsName() &&
        (t.text == "if" || t.text == "and" || t.text == "or" || t.text == "not" || t.text == "in" ||
         t.text == "is")) {
      return false;
    }
  }
  return true;
}

std::string Paren(const std::string& text) { return IsSimple(text) ? text : "(" + text + ")"; }

CNum LiteralNum(std::string_view text) {
  std::string s(text);
  while (!s.empty() && (s.back() == 'u' || s.back() == 'U' || s.back() == 'l' || s.back() == 'L'))
    s.pop_back();
  const bool hex = s.size() > 1 && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' ||
                                    s[1] == 'b' || s[1] == 'B');
  if (!hex && s.find_first_of(".eEjJ") != std::string::npos) return FloatNum();
  CNum n = IntOf(32, false);
  try {
    if (std::stoull(s, nullptr, 0) > 0x7FFFFFFFull) n = IntOf(64, false);
  } catch (...) {
    n = IntOf(64, false);
  }
  n.literal = true;
  n.non_negative = true;
  return n;
}

// Whether storing `v` into a variable of type `t` needs a wrap.
bool NeedsWrap(const Value& v, const CNum& t) {
  if (!v.num.IsInt() || !t.IsInt()) return false;
  if (v.overflow) return true;
  if (t.is_unsigned) return !v.num.non_negative || (!v.num.literal && v.num.bits > t.bits);
  return t.bits < 32 && !v.num.literal &&
         (v.num.bits > t.bits || (v.num.is_unsigned && v.num.bits >= t.bits));
}

bool IsMathFunction(const std::string& name, const ExprEnv& env) {
  if (env.c_names == nullptr || !env.c_names->count(name)) return false;
  std::optional<LibcName> m = LookupLibcName("libc.math", name);
  return m.has_value() && m->kind == LibcName::Kind::kImport;
}

CType ElementOf(const CType& t) {
  CType e = t;
  if (e.memview_dims > 0) {
    e.memview_dims = 0;
    return e;
  }
  if (!e.array_dims.empty()) {
    e.array_dims.erase(e.array_dims.begin());
    return e;
  }
  if (e.pointer_depth > 0) {
    --e.pointer_depth;
    return e;
  }
  const std::string last = e.base.substr(e.base.rfind('.') + 1);
  if ((last == "vector" || last == "deque") && e.template_args.size() == 1) {
    return ParseCType(e.template_args[0]);
  }
  if ((last == "map" || last == "unordered_map") && e.template_args.size() == 2) {
    return ParseCType(e.template_args[1]);
  }
  return CType{};
}

// Literal value of a number node, or -1 when the node is not a literal.
long long LiteralValue(const ExprTree& t, int id) {
  const ExprNode& n = t.node(id);
  if (n.kind == NodeKind::kParen) return LiteralValue(t, n.kids[0]);
  if (n.kind != NodeKind::kNumber) return -1;
  std::string s = n.text;
  while (!s.empty() && (s.back() == 'u' || s.back() == 'U' || s.back() == 'l' || s.back() == 'L'))
    s.pop_back();
  try {
    const unsigned long long v = std::stoull(s, nullptr, 0);
    return v > 0x7FFFFFFFFFFFFFFFull ? 0x7FFFFFFFFFFFFFFF : static_cast<long long>(v);
  } catch (...) {
    return -1;
  }
}

// Signed overflow is undefined in C, yet hash and random-number kernels rely
// on it wrapping. A signed '*' or '<<' is taken to wrap when it multiplies by
// a large constant, or when it scales the variable being assigned (h = h * 31
// + c) by something that is not a small constant: repeated, such updates
// overflow; one-off products such as d * d or capacity * 2 do not.
bool SignedProductMayWrap(long long l_literal, long long r_literal, bool self_operand, int bits) {
  const long long big = bits >= 64 ? 0x7FFFFFFFLL : 0xFFFFLL;
  const long long small = bits >= 64 ? 0xFFFFLL : 8;
  if (l_literal > big || r_literal > big) return true;
  if (!self_operand) return false;
  const long long other = std::max(l_literal, r_literal);
  return other < 0 || other >= small;
}

class Renderer {
 public:
  // `self_text` is the assignment target's source, if any (see SignedProductMayWrap).
  Renderer(const ExprTree& tree, const ExprEnv& env, std::string self_text = "")
      : t_(tree), env_(env), self_text_(std::move(self_text)) {}

  Value Render(int id);
  std::string Observed(const Value& v);
  std::string Coerced(const Value& v, const CNum& target);
  CType Declared(int id);

 private:
  std::string Splice(int id, const std::vector<std::pair<int, std::string>>& kids);
  Value RenderBinary(int id);
  Value RenderDivision(int id, const Value& l, const Value& r);
  Value RenderCall(int id);
  Value RenderCast(int id);
  Value RenderUnary(int id);
  Value RenderObservedKids(int id, CNum num);

  const ExprTree& t_;
  const ExprEnv& env_;
  std::string self_text_;
};

std::string Renderer::Splice(int id, const std::vector<std::pair<int, std::string>>& kids) {
  const ExprNode& n = t_.node(id);
  const std::vector<Token>& toks = t_.tokens();
  const std::string_view text = t_.text();
  std::string out;
  size_t pos = toks[n.first].begin;
  for (const auto& [kid, kid_text] : kids) {
    if (kid < 0) continue;
    const ExprNode& k = t_.node(kid);
    out.append(text.substr(pos, toks[k.first].begin - pos));
    out += kid_text;
    pos = toks[k.last - 1].end;
  }
  out.append(text.substr(pos, toks[n.last - 1].end - pos));
  return out;
}

std::string Renderer::Observed(const Value& v) {
  return v.overflow ? WrapTo(v.text, v.num, env_.helpers) : v.text;
}

std::string Renderer::Coerced(const Value& v, const CNum& target) {
  if (target.IsInt() && NeedsWrap(v, target)) return WrapTo(v.text, target, env_.helpers);
  if (target.IsFloat() && v.num.IsInt()) {
    const std::vector<Token> toks = Tokenize(v.text);
    if (v.num.literal && toks.size() == 1 && toks[0].kind == TokenKind::kNumber &&
        v.text.find_first_of("xXoObB") == std::string::npos) {
      return v.text + ".0";
    }
    return "float(" + Observed(v) + ")";
  }
  return Observed(v);
}

CType Renderer::Declared(int id) {
  const ExprNode& n = t_.node(id);
  switch (n.kind) {
    case NodeKind::kName: {
      auto it = env_.var_types.find(n.text);
      return it == env_.var_types.end() ? CType{} : it->second;
    }
    case NodeKind::kParen:
      return Declared(n.kids[0]);
    case NodeKind::kCast:
      return n.cast;
    case NodeKind::kIndex:
      return ElementOf(ResolveAliases(Declared(n.kids[0]), *env_.types));
    case NodeKind::kAttr: {
      const ExprNode& base = t_.node(n.kids[0]);
      if (base.kind == NodeKind::kName && base.text == "self") {
        auto it = env_.var_types.find("self." + n.text);
        return it == env_.var_types.end() ? CType{} : it->second;
      }
      const CType owner = ResolveAliases(Declared(n.kids[0]), *env_.types);
      auto s = env_.types->struct_fields.find(owner.base);
      if (s == env_.types->struct_fields.end() || owner.pointer_depth > 1) return CType{};
      auto f = s->second.find(n.text);
      return f == s->second.end() ? CType{} : f->second;
    }
    case NodeKind::kCall: {
      const ExprNode& callee = t_.node(n.kids[0]);
      if (callee.kind != NodeKind::kName || env_.functions == nullptr) return CType{};
      auto it = env_.functions->find(callee.text);
      return it == env_.functions->end() ? CType{} : it->second.return_type;
    }
    default:
      return CType{};
  }
}

Value Renderer::RenderObservedKids(int id, CNum num) {
  std::vector<std::pair<int, std::string>> kids;
  for (int k : t_.node(id).kids) {
    if (k >= 0) kids.emplace_back(k, Observed(Render(k)));
  }
  return {Splice(id, kids), num, false};
}

Value Renderer::Render(int id) {
  const ExprNode& n = t_.node(id);
  switch (n.kind) {
    case NodeKind::kNumber:
      return {t_.Source(id), LiteralNum(n.text), false};
    case NodeKind::kName:
    case NodeKind::kAttr:
    case NodeKind::kIndex: {
      Value v = RenderObservedKids(id, NumOf(Declared(id), *env_.types));
      return v;
    }
    case NodeKind::kParen: {
      Value inner = Render(n.kids[0]);
      return {Splice(id, {{n.kids[0], inner.text}}), inner.num, inner.overflow};
    }
    case NodeKind::kUnary:
      return RenderUnary(id);
    case NodeKind::kBinary:
      return RenderBinary(id);
    case NodeKind::kCompare:
      return RenderObservedKids(id, IntOf(32, false));
    case NodeKind::kCast:
      return RenderCast(id);
    case NodeKind::kCall:
      return RenderCall(id);
    case NodeKind::kTernary: {
      Value a = Render(n.kids[0]);
      Value c = Render(n.kids[2]);
      Value out = RenderObservedKids(id, CNum{});
      if (a.num.IsC() && c.num.IsC()) out.num = Promote(a.num, c.num);
      return out;
    }
    case NodeKind::kOpaque:
    case NodeKind::kString:
      return {t_.Source(id), CNum{}, false};
    default:
      return RenderObservedKids(id, CNum{});
  }
}

Value Renderer::RenderUnary(int id) {
  const ExprNode& n = t_.node(id);
  if (n.op == "not" || n.op == "&") {
    return RenderObservedKids(id, n.op == "not" ? IntOf(32, false) : CNum{});
  }
  Value v = Render(n.kids[0]);
  Value out{Splice(id, {{n.kids[0], v.text}}), v.num, v.overflow};
  if (!v.num.IsInt()) return out;
  const bool literal = v.num.literal;
  out.num = Promote(v.num, v.num);
  out.num.literal = literal;
  out.num.non_negative = n.op == "+" && v.num.non_negative;
  if (n.op != "+" && out.num.is_unsigned && !literal) out.overflow = true;
  return out;
}

Value Renderer::RenderBinary(int id) {
  const ExprNode& n = t_.node(id);
  Value l = Render(n.kids[0]);
  Value r = Render(n.kids[1]);
  const bool ints = l.num.IsInt() && r.num.IsInt();
  if (n.op == "/" || n.op == "//" || n.op == "%") return RenderDivision(id, l, r);
  if (ints && (IsRingOp(n.op) || IsBitOp(n.op))) {
    const CNum num = Promote(l.num, r.num);
    const std::string lt = SameInt(l.num, num) ? l.text : Observed(l);
    const std::string rt = SameInt(r.num, num) ? r.text : Observed(r);
    const bool lo = SameInt(l.num, num) && l.overflow;
    const bool ro = SameInt(r.num, num) && r.overflow;
    Value out{Splice(id, {{n.kids[0], lt}, {n.kids[1], rt}}), num, lo || ro};
    if (IsRingOp(n.op) && !num.literal) {
      const long long lv = LiteralValue(t_, n.kids[0]), rv = LiteralValue(t_, n.kids[1]);
      const bool self = !self_text_.empty() &&
                        (t_.Source(n.kids[0]) == self_text_ || t_.Source(n.kids[1]) == self_text_);
      if (num.is_unsigned) {
        // Adding a small constant (counters, n + 1) does not wrap in practice.
        const bool counting = n.op == "+" && (lv >= 0 || rv >= 0) && std::max(lv, rv) < 0x10000;
        out.overflow = !counting || lo || ro;
      } else if (n.op == "*" || n.op == "<<") {
        out.overflow = SignedProductMayWrap(lv, rv, self, num.bits) || lo || ro;
      }
    }
    if (n.op == "&") {
      const bool l_bounded = l.num.non_negative && !lo;
      const bool r_bounded = r.num.non_negative && !ro;
      if (l_bounded || r_bounded) out.overflow = false;
      out.num.non_negative = l_bounded || r_bounded;
    } else if (n.op == "|" || n.op == "^") {
      out.num.non_negative = l.num.non_negative && r.num.non_negative;
    } else {
      out.num.non_negative = num.is_unsigned || (num.literal && n.op != "-");
    }
    return out;
  }
  CNum num;
  if (ints && n.op == ">>") {
    num = Promote(l.num, l.num);
    num.non_negative = l.num.non_negative;
  } else if (l.num.IsC() && r.num.IsC() && n.op != "**") {
    num = Promote(l.num, r.num);
  }
  return {Splice(id, {{n.kids[0], Observed(l)}, {n.kids[1], Observed(r)}}), num, false};
}

Value Renderer::RenderDivision(int id, const Value& l, const Value& r) {
  const ExprNode& n = t_.node(id);
  const std::string lt = Observed(l), rt = Observed(r);
  if (!l.num.IsC() || !r.num.IsC()) {
    return {Splice(id, {{n.kids[0], lt}, {n.kids[1], rt}}), CNum{}, false};
  }
  CNum num = Promote(l.num, r.num);
  if (num.IsFloat()) {
    if (n.op == "%" && env_.cdivision) {
      if (env_.helpers != nullptr) env_.helpers->insert("_c_fmod");
      return {fmt::format("_c_fmod({}, {})", lt, rt), num, false};
    }
    return {Splice(id, {{n.kids[0], lt}, {n.kids[1], rt}}), num, false};
  }
  if (!env_.cdivision) {
    if (n.op == "/") num = FloatNum();  // language_level 3: true division
    return {Splice(id, {{n.kids[0], lt}, {n.kids[1], rt}}), num, false};
  }
  num.non_negative = l.num.non_negative && r.num.non_negative;
  if (num.non_negative) {
    const std::string op = n.op == "%" ? " % " : " // ";
    return {Paren(lt) + op + Paren(rt), num, false};
  }
  const std::string helper = n.op == "%" ? "_c_mod" : "_c_div";
  if (env_.helpers != nullptr) env_.helpers->insert(helper);
  return {fmt::format("{}({}, {})", helper, lt, rt), num, false};
}

Value Renderer::RenderCast(int id) {
  const ExprNode& n = t_.node(id);
  Value v = Render(n.kids[0]);
  const CNum target = NumOf(n.cast, *env_.types);
  const std::string prefix = t_.SourceRange(n.first, t_.node(n.kids[0]).first);
  // A cast to a narrower signed type is deliberate and its value usually fits;
  // casts that change signedness or drop high bits of unsigned values wrap.
  const bool wraps = v.num.IsInt() && target.IsInt() &&
                     (v.overflow || (target.is_unsigned && NeedsWrap(v, target)));
  if (wraps) {
    return {prefix + "(" + WrapTo(v.text, target, env_.helpers) + ")", target, false};
  }
  return {Splice(id, {{n.kids[0], Observed(v)}}), target, false};
}

Value Renderer::RenderCall(int id) {
  const ExprNode& n = t_.node(id);
  const ExprNode& callee = t_.node(n.kids[0]);
  const FunctionInfo* info = nullptr;
  if (callee.kind == NodeKind::kName && env_.functions != nullptr) {
    auto it = env_.functions->find(callee.text);
    if (it != env_.functions->end()) info = &it->second;
  }
  std::vector<std::pair<int, std::string>> kids;
  std::vector<CNum> arg_nums;
  kids.emplace_back(n.kids[0], Render(n.kids[0]).text);
  for (size_t a = 1; a < n.kids.size(); ++a) {
    Value v = Render(n.kids[a]);
    arg_nums.push_back(v.num);
    const bool positional = t_.node(n.kids[a]).kind != NodeKind::kKeyword;
    if (info != nullptr && positional && a - 1 < info->params.size()) {
      kids.emplace_back(n.kids[a], Coerced(v, NumOf(info->params[a - 1], *env_.types)));
    } else {
      kids.emplace_back(n.kids[a], Observed(v));
    }
  }
  Value out{Splice(id, kids), CNum{}, false};
  if (info != nullptr) {
    out.num = NumOf(info->return_type, *env_.types);
  } else if (callee.kind == NodeKind::kName) {
    const std::string& f = callee.text;
    if (f == "len") {
      out.num = IntOf(64, false);
      out.num.non_negative = true;
    } else if ((f == "abs" || f == "min" || f == "max") && !arg_nums.empty()) {
      CNum num = arg_nums[0];
      for (const CNum& a : arg_nums) num = Promote(num, a);
      out.num = num;
    } else if (IsMathFunction(f, env_)) {
      out.num = FloatNum();
    }
  } else if (callee.kind == NodeKind::kAttr && (callee.text == "size" || callee.text == "length")) {
    out.num = IntOf(64, true);
  }
  return out;
}

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
  Value result{target.text + " " + bin + " " + Paren(rt), combined, false};
  const bool ro = SameInt(v.num, combined) && v.overflow;
  if (IsRingOp(bin)) {
    const long long rv = LiteralValue(rhs, rhs.root());
    if (combined.is_unsigned) {
      const bool counting = bin == "+" && rv >= 0 && rv < 0x10000;
      result.overflow = !counting || ro;
    } else {
      result.overflow =
          ((bin == "*" || bin == "<<") && SignedProductMayWrap(-1, rv, true, combined.bits)) || ro;
    }
  } else {
    result.overflow = bin == "&" ? false : ro;
  }
  result.num.non_negative = combined.is_unsigned;
  if (!NeedsWrap(result, t)) return target.text + " " + op + " " + rt;
  return target.text + " = " + WrapTo(result.text, t, env.helpers);
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
      if (toks[k].Is("in")) return RewriteRegions(stmt, toks, {{k + 1, body_end}}, env);
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
    const std::string coerced = rr.Coerced(value, target.num);
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
  return RewriteRegions(value, toks, {{0, n, true, NumOf(target, *env.types)}}, env);
}

CType DeclaredTypeOf(std::string_view expression, const ExprEnv& env) {
  const std::vector<Token> toks = Tokenize(expression);
  ExprTree tree(expression, toks, 0, CodeEnd(toks));
  if (tree.root() < 0 || env.types == nullptr) return CType{};
  return Renderer(tree, env).Declared(tree.root());
}

}  // namespace cnake::translate
