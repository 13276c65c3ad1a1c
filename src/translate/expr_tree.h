// A small expression tree over lexer tokens, for the rewrites that need to
// know operands and precedence (C integer division, wraparound masks, float
// conversions). Nodes keep their token range, so rendering a subtree that no
// rule touched gives back the original text byte for byte.
//
// The parser covers Python expressions plus Cython casts (<T>x) and
// address-of (&x). Anything it does not understand (lambda, comprehensions,
// starred or keyword arguments with odd shapes) becomes an opaque node whose
// text is kept as is. Pure; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "translate/ctypes.h"
#include "translate/lexer.h"

namespace cnake::translate {

enum class NodeKind {
  kName,     // identifier (text = name)
  kNumber,   // numeric literal
  kString,   // one or more adjacent string literals
  kParen,    // ( expr ) — kids[0]
  kTuple,    // (a, b) or a, b — kids are the items
  kList,     // [a, b] — kids are the items
  kUnary,    // op = "-", "+", "~", "not", "&"; kids[0]
  kBinary,   // op = "+", "*", "<<", "and", ...; kids[0], kids[1]
  kCompare,  // chained comparison; kids are the operands, ops in `ops`
  kTernary,  // kids: [value, condition, alternative]
  kCast,     // <type>x — `cast` holds the type; kids[0]
  kCall,     // kids[0] is the callee, then one kid per argument
  kIndex,    // kids[0][kids[1]] (kids[1] may be a kSlice or kTuple)
  kSlice,    // a:b:c — kids are the present parts (missing parts are -1)
  kAttr,     // kids[0].name — text = attribute name
  kKeyword,  // name=value argument — text = name; kids[0]
  kOpaque,   // kept verbatim
};

struct ExprNode {
  NodeKind kind = NodeKind::kOpaque;
  std::string op;                // operator for unary/binary nodes
  std::vector<std::string> ops;  // comparison operators (kCompare)
  std::string text;              // name, attribute or keyword name
  std::vector<int> kids;         // child node indices; -1 for missing slice parts
  size_t first = 0, last = 0;    // token range [first, last)
  CType cast;                    // kCast
};

class ExprTree {
 public:
  // Parses tokens[first, last) of `text` as one expression (a bare tuple
  // "a, b" included). root() is -1 when the range does not parse.
  ExprTree(std::string_view text, const std::vector<Token>& tokens, size_t first, size_t last);

  int root() const { return root_; }
  const ExprNode& node(int i) const { return nodes_[i]; }
  size_t size() const { return nodes_.size(); }
  // The original source text of a node.
  std::string Source(int i) const;
  // Source text between two token indices [first, last).
  std::string SourceRange(size_t first, size_t last) const;
  std::string_view text() const { return text_; }
  const std::vector<Token>& tokens() const { return toks_; }

 private:
  int Add(ExprNode n);
  int ParseTuple(size_t& i, size_t end);
  int ParseTernary(size_t& i, size_t end);
  int ParseBinary(size_t& i, size_t end, int level);
  int ParseNot(size_t& i, size_t end);
  int ParseComparison(size_t& i, size_t end);
  int ParseUnary(size_t& i, size_t end);
  int ParsePower(size_t& i, size_t end);
  int ParsePrimary(size_t& i, size_t end);
  int ParseAtom(size_t& i, size_t end);
  int ParseBracketItems(size_t open, size_t close, NodeKind kind);
  int ParseArgument(size_t first, size_t last);
  int ParseSubscript(size_t first, size_t last);
  int Opaque(size_t first, size_t last);

  std::string_view text_;
  const std::vector<Token>& toks_;
  std::vector<ExprNode> nodes_;
  int root_ = -1;
};

}  // namespace cnake::translate
