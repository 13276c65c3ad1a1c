#include "translate/c_render.h"

#include <fmt/format.h>

#include <algorithm>


namespace cnake::translate {
namespace {

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

// Cython types an integer literal as C long when it fits in 32 bits and as a
// Python object otherwise (so 0xFFFFFFFF arithmetic happens in Python).
CNum LiteralNum(std::string_view text) {
  std::string s(text);
  while (!s.empty() && (s.back() == 'u' || s.back() == 'U' || s.back() == 'l' || s.back() == 'L'))
    s.pop_back();
  const bool hex = s.size() > 1 && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' ||
                                    s[1] == 'b' || s[1] == 'B');
  if (!hex && s.find_first_of(".eEjJ") != std::string::npos) return FloatNum();
  // With a C suffix (U, L, LL, ULL) the literal is a C value of that type.
  const std::string suffix(text.substr(s.size()));
  const bool is_unsigned = suffix.find_first_of("uU") != std::string::npos;
  unsigned long long value = 0;
  try {
    value = std::stoull(s, nullptr, 0);
  } catch (...) {
    return {};
  }
  if (suffix.empty() && value > 0x7FFFFFFFull) return {};
  CNum n =
      IntOf(is_unsigned && suffix.size() == 1 && value <= 0xFFFFFFFFull ? 32 : 64, is_unsigned);
  n.literal = true;
  n.non_negative = true;
  return n;
}

}  // namespace

CType ElementTypeOf(const CType& t) {
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

std::string Paren(const std::string& text) { return IsSimple(text) ? text : "(" + text + ")"; }

bool NeedsWrap(const Value& v, const CNum& t) {
  if (!v.num.IsInt() || !t.IsInt()) return false;
  if (v.overflow) return true;
  if (t.is_unsigned) return !v.num.non_negative || RangeOf(v) > t.bits;
  if (t.bits >= 32) return false;  // int and wider: assume the value fits (see header)
  // A non-negative value needs a spare bit for the sign.
  const int limit = v.num.non_negative || v.num.is_unsigned ? t.bits - 1 : t.bits;
  return RangeOf(v) > limit;
}

int BitLength(long long v) {
  int bits = 0;
  for (; v > 0; v >>= 1) ++bits;
  return bits;
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
      if (t_.node(n.kids[1]).kind == NodeKind::kSlice) return Declared(n.kids[0]);  // a[i:j]
      return ElementTypeOf(ResolveAliases(Declared(n.kids[0]), *env_.types));
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

Value Renderer::RenderObservedKids(int id, CNum num, Operands operands) {
  std::vector<std::pair<int, std::string>> kids;
  bool first = true;
  for (int k : t_.node(id).kids) {
    if (k < 0) continue;
    const std::string text = Observed(Render(k));
    const bool operand = operands == Operands::kAll || (operands == Operands::kFirst && first);
    kids.emplace_back(k, operand ? AsOperand(k, text) : text);
    first = false;
  }
  return {Splice(id, kids), num, false};
}

std::string Renderer::AsOperand(int kid, const std::string& text) const {
  return text == t_.Source(kid) || IsSimple(text) ? text : "(" + text + ")";
}

Value Renderer::Render(int id) {
  const ExprNode& n = t_.node(id);
  switch (n.kind) {
    case NodeKind::kNumber: {
      Value v{t_.Source(id), LiteralNum(n.text), false};
      if (v.num.IsInt()) v.range_bits = BitLength(LiteralValue(t_, id));
      return v;
    }
    case NodeKind::kName:
    case NodeKind::kAttr:
    case NodeKind::kIndex:
      return RenderObservedKids(id, NumOf(Declared(id), *env_.types), Operands::kFirst);
    case NodeKind::kParen: {
      Value inner = Render(n.kids[0]);
      return {Splice(id, {{n.kids[0], inner.text}}), inner.num, inner.overflow, inner.range_bits};
    }
    case NodeKind::kUnary:
      return RenderUnary(id);
    case NodeKind::kBinary:
      return RenderBinary(id);
    case NodeKind::kCompare: {
      Value v = RenderObservedKids(id, IntOf(32, false), Operands::kAll);
      v.num.non_negative = true;
      v.range_bits = 1;
      return v;
    }
    case NodeKind::kCast:
      return RenderCast(id);
    case NodeKind::kCall:
      return RenderCall(id);
    case NodeKind::kTernary: {
      Value a = Render(n.kids[0]);
      Value c = Render(n.kids[2]);
      Value out = RenderObservedKids(id, CNum{}, Operands::kAll);
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
  if (n.op == "&") {
    if (std::optional<Value> p = RenderAddressOf(id)) return *p;
  }
  if (n.op == "not" || n.op == "&") {
    return RenderObservedKids(id, n.op == "not" ? IntOf(32, false) : CNum{}, Operands::kAll);
  }
  Value v = Render(n.kids[0]);
  Value out{Splice(id, {{n.kids[0], AsOperand(n.kids[0], v.text)}}), v.num, v.overflow};
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
  if (n.op == "/" || n.op == "//" || n.op == "%") return RenderDivision(id, l, r);
  if (n.op == "+" || n.op == "-") {
    if (std::optional<Value> p = RenderPointerArithmetic(id, l, r)) return *p;
  }
  if (l.num.IsInt() && r.num.IsInt() && (IsRingOp(n.op) || IsBitOp(n.op))) {
    return RenderIntOp(id, l, r);
  }
  CNum num;
  int range = -1;
  if (l.num.IsInt() && r.num.IsInt() && n.op == ">>") {
    num = Promote(l.num, l.num);
    num.non_negative = l.num.non_negative;
    range = RangeOf(l);
  } else if (l.num.IsC() && r.num.IsC() && n.op != "**") {
    num = Promote(l.num, r.num);
  }
  // A mask by a constant that fits the operand's type makes wrapping it first
  // pointless: (x << 13) & 0xFFFFFFFFFFFFFFFF.
  const bool masked = n.op == "&" && (LiteralFits(n.kids[1], l) || LiteralFits(n.kids[0], r));
  const std::string lt = masked ? l.text : Observed(l);
  const std::string rt = masked ? r.text : Observed(r);
  return {
      Splice(id, {{n.kids[0], AsOperand(n.kids[0], lt)}, {n.kids[1], AsOperand(n.kids[1], rt)}}),
      num, false, range};
}

bool Renderer::LiteralFits(int literal_node, const Value& other) const {
  const ExprNode& n = t_.node(literal_node);
  if (n.kind != NodeKind::kNumber || !other.num.IsInt()) return false;
  try {
    const unsigned long long v = std::stoull(n.text, nullptr, 0);
    return other.num.bits >= 64 || v < (1ull << other.num.bits);
  } catch (...) {
    return false;
  }
}

// + - * << & | ^ between C integers: C's modular arithmetic. Operands of the
// result's own type stay unwrapped (wrapping commutes with these operators);
// the result is flagged when it may leave its type's range.
Value Renderer::RenderIntOp(int id, const Value& l, const Value& r) {
  const ExprNode& n = t_.node(id);
  const CNum num = Promote(l.num, r.num);
  const bool lo = SameInt(l.num, num) && l.overflow;
  const bool ro = SameInt(r.num, num) && r.overflow;
  const std::string lt = AsOperand(n.kids[0], SameInt(l.num, num) ? l.text : Observed(l));
  const std::string rt = AsOperand(n.kids[1], SameInt(r.num, num) ? r.text : Observed(r));
  Value out{Splice(id, {{n.kids[0], lt}, {n.kids[1], rt}}), num, lo || ro};
  const long long lv = LiteralValue(t_, n.kids[0]), rv = LiteralValue(t_, n.kids[1]);
  if (n.op == "&") {
    const bool l_bounded = l.num.non_negative && !lo;
    const bool r_bounded = r.num.non_negative && !ro;
    if (l_bounded || r_bounded) out.overflow = false;
    out.num.non_negative = l_bounded || r_bounded;
    if (l_bounded && r_bounded) {
      out.range_bits = std::min(RangeOf(l), RangeOf(r));
    } else if (l_bounded || r_bounded) {
      out.range_bits = l_bounded ? RangeOf(l) : RangeOf(r);
    }
    return out;
  }
  if (n.op == "|" || n.op == "^") {
    out.num.non_negative = l.num.non_negative && r.num.non_negative;
    if (out.num.non_negative) out.range_bits = std::max(RangeOf(l), RangeOf(r));
    return out;
  }
  out.num.non_negative = l.num.non_negative && r.num.non_negative && n.op != "-";
  if (num.literal) return out;
  // Adding a small constant (counters, n + 1) does not wrap in practice.
  const bool counting = n.op == "+" && (lv >= 0 || rv >= 0) && std::max(lv, rv) < 0x10000;
  if (counting) {
    out.range_bits = std::max(RangeOf(l), RangeOf(r));
  } else if (num.is_unsigned) {
    out.overflow = true;
  } else if (n.op == "*" || n.op == "<<") {
    const bool self = !self_text_.empty() &&
                      (t_.Source(n.kids[0]) == self_text_ || t_.Source(n.kids[1]) == self_text_);
    const int bits = std::max(l.num.literal ? 32 : l.num.bits, r.num.literal ? 32 : r.num.bits);
    out.overflow = SignedProductMayWrap(lv, rv, self, bits) || lo || ro;
  }
  return out;
}

Value Renderer::RenderDivision(int id, const Value& l, const Value& r) {
  const ExprNode& n = t_.node(id);
  const std::string lt = AsOperand(n.kids[0], Observed(l));
  const std::string rt = AsOperand(n.kids[1], Observed(r));
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
    if (n.op == "/" && !env_.true_division) {
      // language_level=2: '/' between C ints is Python's floor division.
      const bool nonneg = l.num.non_negative && r.num.non_negative;
      num.non_negative = nonneg;
      return {Paren(lt) + " // " + Paren(rt), num, false, nonneg ? RangeOf(l) : -1};
    }
    if (n.op == "/") num = FloatNum();  // language_level 3: true division
    // Python's floor semantics: a % b has the sign of b.
    const bool nonneg = n.op == "%" ? r.num.non_negative : l.num.non_negative && r.num.non_negative;
    num.non_negative = num.IsInt() && nonneg;
    const int range = num.non_negative ? (n.op == "%" ? RangeOf(r) : RangeOf(l)) : -1;
    return {Splice(id, {{n.kids[0], lt}, {n.kids[1], rt}}), num, false, range};
  }
  num.non_negative = l.num.non_negative && r.num.non_negative;
  if (num.non_negative) {
    const std::string op = n.op == "%" ? " % " : " // ";
    return {Paren(lt) + op + Paren(rt), num, false, n.op == "%" ? RangeOf(r) : RangeOf(l)};
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
  const bool wraps =
      v.num.IsInt() && target.IsInt() &&
      (v.overflow || ((target.is_unsigned || target.bits < 32) && NeedsWrap(v, target)));
  if (wraps) {
    return {prefix + "(" + WrapTo(v.text, target, env_.helpers) + ")", target, false};
  }
  return {Splice(id, {{n.kids[0], AsOperand(n.kids[0], Observed(v))}}), target, false};
}

}  // namespace cnake::translate
