#include "translate/expr_tree.h"

#include <array>
#include <set>

namespace cnake::translate {
namespace {

bool IsOpen(const Token& t) { return t.Is("(") || t.Is("[") || t.Is("{"); }
bool IsClose(const Token& t) { return t.Is(")") || t.Is("]") || t.Is("}"); }

// Binary operator levels, loosest first; comparisons sit between "and" and "|".
const std::array<std::set<std::string_view>, 9> kLevels = {{
    {"or"},
    {"and"},
    {},  // comparisons and `not` are parsed separately
    {"|"},
    {"^"},
    {"&"},
    {"<<", ">>"},
    {"+", "-"},
    {"*", "/", "//", "%", "@"},
}};
const std::set<std::string_view> kCompareOps = {"<", ">", "==", ">=", "<=", "!="};

bool IsReservedWord(std::string_view w) {
  static const std::set<std::string_view> kWords = {
      "lambda", "for", "if",    "else",   "in",     "is",   "not",   "and",  "or",   "yield",
      "await",  "def", "class", "return", "import", "from", "while", "with", "pass", "del"};
  return kWords.count(w) > 0;
}

// Top-level separator positions of `sep` in tokens[first, last).
std::vector<size_t> SplitPoints(const std::vector<Token>& toks, size_t first, size_t last,
                                std::string_view sep) {
  std::vector<size_t> points;
  int depth = 0;
  for (size_t k = first; k < last; ++k) {
    if (IsOpen(toks[k])) ++depth;
    if (IsClose(toks[k])) --depth;
    if (depth == 0 && toks[k].Is(sep)) points.push_back(k);
  }
  return points;
}

bool HasTopLevel(const std::vector<Token>& toks, size_t first, size_t last, std::string_view w) {
  return !SplitPoints(toks, first, last, w).empty();
}

}  // namespace

ExprTree::ExprTree(std::string_view text, const std::vector<Token>& tokens, size_t first,
                   size_t last)
    : text_(text), toks_(tokens) {
  if (first >= last || last > toks_.size()) return;
  size_t i = first;
  const int r = ParseTuple(i, last);
  root_ = r >= 0 && i == last ? r : -1;
}

std::string ExprTree::Source(int i) const { return SourceRange(nodes_[i].first, nodes_[i].last); }

std::string ExprTree::SourceRange(size_t first, size_t last) const {
  return std::string(Span(text_, toks_, first, last));
}

int ExprTree::Add(ExprNode n) {
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

int ExprTree::Opaque(size_t first, size_t last) {
  ExprNode n;
  n.first = first;
  n.last = last;
  return Add(std::move(n));
}

int ExprTree::ParseTuple(size_t& i, size_t end) {
  const size_t start = i;
  std::vector<int> items;
  bool trailing_comma = false;
  while (i < end) {
    const int item = ParseTernary(i, end);
    if (item < 0) return -1;
    items.push_back(item);
    trailing_comma = false;
    if (i < end && toks_[i].Is(",")) {
      ++i;
      trailing_comma = true;
      continue;
    }
    break;
  }
  if (items.size() == 1 && !trailing_comma) return items[0];
  ExprNode n;
  n.kind = NodeKind::kTuple;
  n.kids = std::move(items);
  n.first = start;
  n.last = i;
  return Add(std::move(n));
}

int ExprTree::ParseTernary(size_t& i, size_t end) {
  const size_t start = i;
  const int value = ParseBinary(i, end, 0);
  if (value < 0 || i >= end || !toks_[i].Is("if")) return value;
  ++i;
  const int cond = ParseBinary(i, end, 0);
  if (cond < 0 || i >= end || !toks_[i].Is("else")) return -1;
  ++i;
  const int alt = ParseTernary(i, end);
  if (alt < 0) return -1;
  ExprNode n;
  n.kind = NodeKind::kTernary;
  n.kids = {value, cond, alt};
  n.first = start;
  n.last = i;
  return Add(std::move(n));
}

int ExprTree::ParseBinary(size_t& i, size_t end, int level) {
  if (level == 2) return ParseNot(i, end);
  const size_t start = i;
  auto operand = [&]() {
    return level + 1 < static_cast<int>(kLevels.size()) ? ParseBinary(i, end, level + 1)
                                                        : ParseUnary(i, end);
  };
  int left = operand();
  while (left >= 0 && i < end && toks_[i].kind != TokenKind::kString &&
         kLevels[level].count(toks_[i].text)) {
    const std::string op(toks_[i].text);
    ++i;
    const int right = operand();
    if (right < 0) return -1;
    ExprNode n;
    n.kind = NodeKind::kBinary;
    n.op = op;
    n.kids = {left, right};
    n.first = start;
    n.last = i;
    left = Add(std::move(n));
  }
  return left;
}

int ExprTree::ParseNot(size_t& i, size_t end) {
  if (i < end && toks_[i].Is("not")) {
    const size_t start = i++;
    const int inner = ParseNot(i, end);
    if (inner < 0) return -1;
    ExprNode n;
    n.kind = NodeKind::kUnary;
    n.op = "not";
    n.kids = {inner};
    n.first = start;
    n.last = i;
    return Add(std::move(n));
  }
  return ParseComparison(i, end);
}

int ExprTree::ParseComparison(size_t& i, size_t end) {
  const size_t start = i;
  const int first = ParseBinary(i, end, 3);
  if (first < 0) return -1;
  ExprNode n;
  n.kind = NodeKind::kCompare;
  n.kids = {first};
  while (i < end) {
    const Token& t = toks_[i];
    std::string op;
    if (t.kind == TokenKind::kOp && kCompareOps.count(t.text)) {
      op = std::string(t.text);
      ++i;
    } else if (t.Is("in")) {
      op = "in";
      ++i;
    } else if (t.Is("not") && i + 1 < end && toks_[i + 1].Is("in")) {
      op = "not in";
      i += 2;
    } else if (t.Is("is")) {
      op = "is";
      ++i;
      if (i < end && toks_[i].Is("not")) {
        op = "is not";
        ++i;
      }
    } else {
      break;
    }
    const int next = ParseBinary(i, end, 3);
    if (next < 0) return -1;
    n.ops.push_back(op);
    n.kids.push_back(next);
  }
  if (n.kids.size() == 1) return first;
  n.first = start;
  n.last = i;
  return Add(std::move(n));
}

int ExprTree::ParseUnary(size_t& i, size_t end) {
  if (i >= end) return -1;
  const size_t start = i;
  const Token& t = toks_[i];
  if (t.Is("-") || t.Is("+") || t.Is("~") || t.Is("&")) {
    ++i;
    const int inner = ParseUnary(i, end);
    if (inner < 0) return -1;
    ExprNode n;
    n.kind = NodeKind::kUnary;
    n.op = std::string(t.text);
    n.kids = {inner};
    n.first = start;
    n.last = i;
    return Add(std::move(n));
  }
  if (t.Is("<")) {  // a cast: <type>operand
    size_t j = i + 1;
    int depth = 0;
    for (; j < end; ++j) {
      const Token& c = toks_[j];
      if (c.Is("[")) ++depth;
      if (c.Is("]")) --depth;
      if (depth == 0 && c.Is(">")) break;
      const bool ok = c.IsName() || c.Is(".") || c.Is("*") || c.Is("**") || c.Is("?") ||
                      c.Is("[") || c.Is("]") || c.Is(",") || c.Is(":") || c.Is("&") ||
                      (depth > 0 && c.kind == TokenKind::kNumber);
      if (!ok) return -1;
    }
    if (j >= end || j == i + 1) return -1;
    ExprNode n;
    n.kind = NodeKind::kCast;
    n.cast = ParseCType(text_, toks_, i + 1, j);
    if (n.cast.empty()) return -1;
    i = j + 1;
    const int inner = ParseUnary(i, end);
    if (inner < 0) return -1;
    n.kids = {inner};
    n.first = start;
    n.last = i;
    return Add(std::move(n));
  }
  return ParsePower(i, end);
}

int ExprTree::ParsePower(size_t& i, size_t end) {
  const size_t start = i;
  const int base = ParsePrimary(i, end);
  if (base < 0 || i >= end || !toks_[i].Is("**")) return base;
  ++i;
  const int exponent = ParseUnary(i, end);
  if (exponent < 0) return -1;
  ExprNode n;
  n.kind = NodeKind::kBinary;
  n.op = "**";
  n.kids = {base, exponent};
  n.first = start;
  n.last = i;
  return Add(std::move(n));
}

int ExprTree::ParsePrimary(size_t& i, size_t end) {
  const size_t start = i;
  int cur = ParseAtom(i, end);
  while (cur >= 0 && i < end) {
    const Token& t = toks_[i];
    ExprNode n;
    n.first = start;
    if (t.Is(".") && i + 1 < end && toks_[i + 1].IsName()) {
      n.kind = NodeKind::kAttr;
      n.text = std::string(toks_[i + 1].text);
      n.kids = {cur};
      i += 2;
    } else if (t.Is("(") || t.Is("[")) {
      const size_t close = MatchingClose(toks_, i);
      if (close >= end) return -1;
      const int inner =
          t.Is("(") ? ParseBracketItems(i, close, NodeKind::kCall) : ParseSubscript(i + 1, close);
      if (inner < 0) return -1;
      n.kind = t.Is("(") ? NodeKind::kCall : NodeKind::kIndex;
      n.kids = {cur};
      if (t.Is("(")) {
        for (int k : nodes_[inner].kids) n.kids.push_back(k);
      } else {
        n.kids.push_back(inner);
      }
      i = close + 1;
    } else {
      break;
    }
    n.last = i;
    cur = Add(std::move(n));
  }
  return cur;
}

int ExprTree::ParseAtom(size_t& i, size_t end) {
  if (i >= end) return -1;
  const Token& t = toks_[i];
  ExprNode n;
  n.first = i;
  if (t.kind == TokenKind::kName) {
    if (IsReservedWord(t.text)) return -1;
    n.kind = NodeKind::kName;
    n.text = std::string(t.text);
    ++i;
  } else if (t.kind == TokenKind::kNumber) {
    n.kind = NodeKind::kNumber;
    n.text = std::string(t.text);
    ++i;
  } else if (t.kind == TokenKind::kString) {
    n.kind = NodeKind::kString;
    while (i < end && toks_[i].kind == TokenKind::kString) ++i;
  } else if (t.Is("(") || t.Is("[") || t.Is("{")) {
    const size_t close = MatchingClose(toks_, i);
    if (close >= end) return -1;
    if (t.Is("{") || HasTopLevel(toks_, i + 1, close, "for")) {
      i = close + 1;
      return Opaque(n.first, i);
    }
    if (t.Is("[")) {
      const int list = ParseBracketItems(i, close, NodeKind::kList);
      i = close + 1;
      nodes_[list].first = n.first;
      nodes_[list].last = i;
      return list;
    }
    size_t j = i + 1;
    const int inner = close == j ? -1 : ParseTuple(j, close);
    if (close != i + 1 && (inner < 0 || j != close)) return -1;
    n.kind =
        inner >= 0 && nodes_[inner].kind != NodeKind::kTuple ? NodeKind::kParen : NodeKind::kTuple;
    if (inner >= 0) n.kids = {inner};
    if (n.kind == NodeKind::kTuple && inner >= 0) n.kids = nodes_[inner].kids;
    i = close + 1;
  } else if (t.Is("...")) {
    ++i;
    return Opaque(n.first, i);
  } else {
    return -1;
  }
  n.last = i;
  return Add(std::move(n));
}

// Items between toks[open] and toks[close]; returns a node of `kind` whose
// kids are the items (for calls, the caller takes the kids).
int ExprTree::ParseBracketItems(size_t open, size_t close, NodeKind kind) {
  ExprNode n;
  n.kind = kind;
  n.first = open;
  n.last = close + 1;
  if (HasTopLevel(toks_, open + 1, close, "for")) {
    n.kids = {Opaque(open + 1, close)};
    if (kind == NodeKind::kList) return Opaque(open, close + 1);
    return Add(std::move(n));
  }
  size_t start = open + 1;
  std::vector<size_t> commas = SplitPoints(toks_, open + 1, close, ",");
  commas.push_back(close);
  for (size_t comma : commas) {
    if (comma > start) n.kids.push_back(ParseArgument(start, comma));
    start = comma + 1;
  }
  return Add(std::move(n));
}

int ExprTree::ParseArgument(size_t first, size_t last) {
  if (last - first >= 3 && toks_[first].IsName() && toks_[first + 1].Is("=")) {
    ExprNode n;
    n.kind = NodeKind::kKeyword;
    n.text = std::string(toks_[first].text);
    n.kids = {ParseArgument(first + 2, last)};
    n.first = first;
    n.last = last;
    return Add(std::move(n));
  }
  if (toks_[first].Is("*") || toks_[first].Is("**")) return Opaque(first, last);
  size_t i = first;
  const int r = ParseTernary(i, last);
  return r >= 0 && i == last ? r : Opaque(first, last);
}

int ExprTree::ParseSubscript(size_t first, size_t last) {
  if (first >= last) return -1;
  std::vector<size_t> commas = SplitPoints(toks_, first, last, ",");
  commas.push_back(last);
  std::vector<int> items;
  size_t start = first;
  for (size_t comma : commas) {
    if (comma <= start) break;
    const std::vector<size_t> colons = SplitPoints(toks_, start, comma, ":");
    if (colons.empty()) {
      items.push_back(ParseArgument(start, comma));
    } else {
      ExprNode s;
      s.kind = NodeKind::kSlice;
      s.first = start;
      s.last = comma;
      size_t part = start;
      std::vector<size_t> ends = colons;
      ends.push_back(comma);
      for (size_t e : ends) {
        s.kids.push_back(e > part ? ParseArgument(part, e) : -1);
        part = e + 1;
      }
      items.push_back(Add(std::move(s)));
    }
    start = comma + 1;
  }
  if (items.size() == 1 && commas.size() == 1) return items[0];
  ExprNode t;
  t.kind = NodeKind::kTuple;
  t.kids = std::move(items);
  t.first = first;
  t.last = last;
  return Add(std::move(t));
}

}  // namespace cnake::translate
