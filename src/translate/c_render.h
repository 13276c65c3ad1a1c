// Internal to the C-semantics rewrites (c_semantics.h): renders an
// ExprTree back to text while applying C numeric rules node by node.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "translate/c_numbers.h"
#include "translate/c_semantics.h"
#include "translate/expr_tree.h"
#include "translate/expressions.h"

namespace cnake::translate {

// A rendered subtree: its Python-bound text (still Cython syntax otherwise),
// its C type, and whether its value may lie outside that type's range
// because C would have wrapped it and Python did not.
struct Value {
  std::string text;
  CNum num;
  bool overflow = false;
  int range_bits = -1;  // bits the magnitude is known to fit in; -1: those of `num`
};

inline bool IsRingOp(const std::string& op) {
  return op == "+" || op == "-" || op == "*" || op == "<<";
}
inline bool IsBitOp(const std::string& op) { return op == "&" || op == "|" || op == "^"; }
inline bool SameInt(const CNum& a, const CNum& b) {
  return a.IsInt() && b.IsInt() && a.bits == b.bits && a.is_unsigned == b.is_unsigned;
}

// Bits the value of `v` is known to fit in.
inline int RangeOf(const Value& v) { return v.range_bits >= 0 ? v.range_bits : v.num.bits; }

// Whether storing `v` into a variable of C type `t` needs a wrap.
bool NeedsWrap(const Value& v, const CNum& t);

// Text wrapped in parentheses unless it is a primary (name, call, index...).
std::string Paren(const std::string& text);

// Literal value of a number node (through parentheses), or -1 when the node
// is not a non-negative integer literal.
long long LiteralValue(const ExprTree& t, int id);

// See the definition: whether a signed '*' or '<<' is taken to wrap.
bool SignedProductMayWrap(long long l_literal, long long r_literal, bool self_operand, int bits);

class Renderer {
 public:
  // `self_text` is the assignment target's source, if any (see SignedProductMayWrap).
  Renderer(const ExprTree& tree, const ExprEnv& env, std::string self_text = "")
      : t_(tree), env_(env), self_text_(std::move(self_text)) {}

  Value Render(int id);
  std::string Observed(const Value& v);
  std::string Coerced(const Value& v, const CNum& target);
  CType Declared(int id);
  // Whether node `id` is declared as a C pointer or array.
  bool IsPointer(int id);

 private:
  std::string Splice(int id, const std::vector<std::pair<int, std::string>>& kids);
  Value RenderBinary(int id);
  Value RenderIntOp(int id, const Value& l, const Value& r);
  std::optional<Value> RenderPointerArithmetic(int id, const Value& l, const Value& r);
  std::optional<Value> RenderAddressOf(int id);
  std::string PointerAdd(const std::string& base, const std::string& offset);
  // Whether node `literal_node` is an integer literal that fits `other`'s type.
  bool LiteralFits(int literal_node, const Value& other) const;
  Value RenderDivision(int id, const Value& l, const Value& r);
  Value RenderCall(int id);
  Value RenderCast(int id);
  Value RenderUnary(int id);
  // Kids are observed (wrapped if they overflowed); `operands` says which of
  // them sit next to an operator and need parentheses once rewritten.
  enum class Operands { kNone, kFirst, kAll };
  Value RenderObservedKids(int id, CNum num, Operands operands = Operands::kNone);
  // `text` for kid `kid` placed next to an operator: parenthesized when a
  // rewrite turned it into something that is not a primary.
  std::string AsOperand(int kid, const std::string& text) const;

  const ExprTree& t_;
  const ExprEnv& env_;
  std::string self_text_;
};

}  // namespace cnake::translate
