#include "translate/expressions.h"

#include <fmt/format.h>

#include <cstdlib>

#include "translate/special_calls.h"

namespace cnake::translate {
namespace {

using Tokens = std::vector<Token>;

bool IsOpenBracket(const Token& t) {
  return t.kind == TokenKind::kOp && (t.text == "(" || t.text == "[" || t.text == "{");
}

// A '<' or '&' here starts an operand, not a binary operator.
bool InUnaryPosition(const Tokens& toks, size_t i) {
  if (i == 0) return true;
  const Token& p = toks[i - 1];
  if (p.kind == TokenKind::kOp) return !(p.text == ")" || p.text == "]" || p.text == "}");
  if (p.kind == TokenKind::kName) {
    static const std::set<std::string_view> kKeywords = {
        "return", "if",    "elif", "while",  "and",   "or",    "not",
        "in",     "is",    "else", "lambda", "yield", "await", "assert",
        "del",    "raise", "from", "print",  "with",  "case",  "match"};
    return kKeywords.count(p.text) > 0;
  }
  return false;
}

// If toks[i] is '<' opening a cast "<type>", returns the index of '>' and
// fills `type`; otherwise returns 0.
size_t ParseCastType(std::string_view text, const Tokens& toks, size_t i, CType* type) {
  if (!toks[i].Is("<") || !InUnaryPosition(toks, i)) return 0;
  size_t j = i + 1;
  int depth = 0;
  while (j < toks.size()) {
    const Token& t = toks[j];
    if (t.Is("[")) ++depth;
    if (t.Is("]")) --depth;
    if (depth == 0 && t.Is(">")) break;
    const bool ok = t.IsName() || t.Is(".") || t.Is("*") || t.Is("**") || t.Is("?") || t.Is("[") ||
                    t.Is("]") || t.Is(",") || t.Is(":") || t.Is("&") ||
                    (depth > 0 && t.kind == TokenKind::kNumber);
    if (!ok) return 0;
    ++j;
  }
  if (j >= toks.size() || j == i + 1) return 0;
  *type = ParseCType(text, toks, i + 1, j);
  return type->empty() ? 0 : j;
}

// End (exclusive) of the unary-expression operand starting at toks[i], or i
// when there is none. Casts bind like unary operators: postfix trailers and a
// following '**' belong to the operand, binary operators do not.
size_t OperandEnd(std::string_view text, const Tokens& toks, size_t i) {
  size_t j = i;
  while (j < toks.size() && (toks[j].Is("-") || toks[j].Is("+") || toks[j].Is("~") ||
                             toks[j].Is("&") || toks[j].Is("await"))) {
    ++j;
  }
  if (j >= toks.size()) return i;
  CType ignored;
  if (size_t close = ParseCastType(text, toks, j, &ignored); close != 0) {
    const size_t end = OperandEnd(text, toks, close + 1);
    return end == close + 1 ? i : end;
  }
  const Token& a = toks[j];
  if (a.kind == TokenKind::kName || a.kind == TokenKind::kNumber) {
    ++j;
  } else if (a.kind == TokenKind::kString) {
    while (j < toks.size() && toks[j].kind == TokenKind::kString) ++j;
  } else if (IsOpenBracket(a)) {
    j = MatchingClose(toks, j);
    if (j >= toks.size()) return i;
    ++j;
  } else {
    return i;
  }
  while (j < toks.size()) {
    if (toks[j].Is(".") && j + 1 < toks.size() && toks[j + 1].IsName()) {
      j += 2;
    } else if (toks[j].Is("(") || toks[j].Is("[")) {
      const size_t close = MatchingClose(toks, j);
      if (close >= toks.size()) return j;
      j = close + 1;
    } else {
      break;
    }
  }
  if (j < toks.size() && toks[j].Is("**")) {
    const size_t end = OperandEnd(text, toks, j + 1);
    if (end > j + 1) j = end;
  }
  return j;
}

// "(a + b)" -> "a + b" when the parentheses wrap everything and hold no tuple.
std::string StripOuterParens(const std::string& s) {
  const Tokens toks = Tokenize(s);
  if (toks.size() < 2 || !toks.front().Is("(") || MatchingClose(toks, 0) != toks.size() - 1) {
    return s;
  }
  int depth = 0;
  for (size_t k = 1; k + 1 < toks.size(); ++k) {
    if (IsOpenBracket(toks[k])) ++depth;
    if (toks[k].Is(")") || toks[k].Is("]") || toks[k].Is("}")) --depth;
    if (depth == 0 && (toks[k].Is(",") || toks[k].Is("for"))) return s;
  }
  return Trim(std::string_view(s).substr(1, s.size() - 2));
}

// True when s is a name, number, or dotted/called/indexed primary: safe to
// use as an operand of '*' without parentheses.
bool IsPrimary(const std::string& s) {
  const Tokens toks = Tokenize(s);
  if (toks.empty()) return false;
  if (toks.front().Is("-") || toks.front().Is("+") || toks.front().Is("~")) return false;
  for (size_t k = 0; k < toks.size(); ++k) {
    if (IsOpenBracket(toks[k])) {
      k = MatchingClose(toks, k);
      continue;
    }
    if (toks[k].kind == TokenKind::kOp && !toks[k].Is(".")) return false;
    if (toks[k].IsName() &&
        (toks[k].text == "if" || toks[k].text == "and" || toks[k].text == "or" ||
         toks[k].text == "not" || toks[k].text == "lambda")) {
      return false;
    }
  }
  return true;
}

std::string Parenthesize(const std::string& s) { return IsPrimary(s) ? s : "(" + s + ")"; }

// If `arg` is exactly sizeof(T), returns T parsed; else an empty CType.
CType SizeofArgument(std::string_view arg) {
  const Tokens toks = Tokenize(arg);
  if (toks.size() >= 3 && toks[0].Is("sizeof") && toks[1].Is("(") &&
      MatchingClose(toks, 1) == toks.size() - 1) {
    return ParseCType(arg, toks, 2, toks.size() - 1);
  }
  return CType{};
}

// Splits a byte count "n * sizeof(T)" into the element count and T.
std::string CountFromBytes(std::string_view bytes, CType* element, const ExprEnv& env) {
  std::vector<std::string> factors = SplitTopLevel(bytes, "*");
  std::vector<std::string> rest;
  CType from_sizeof;
  for (const std::string& f : factors) {
    CType t = SizeofArgument(f);
    if (!t.empty() && from_sizeof.empty()) {
      from_sizeof = t;
    } else {
      rest.push_back(Parenthesize(RewriteExpression(f, env).text));
    }
  }
  if (!from_sizeof.empty()) {
    if (element->empty()) *element = from_sizeof;
    if (rest.empty()) return "1";
    std::string joined;
    for (const std::string& r : rest) joined += (joined.empty() ? "" : " * ") + r;
    return joined;
  }
  const std::string count = RewriteExpression(bytes, env).text;
  const std::optional<int> size = element->empty() ? std::nullopt : SizeOf(*element, *env.types);
  if (!size || *size == 1) return count;
  return fmt::format("{} // {}", Parenthesize(count), *size);
}

std::string BufferOf(const CType& element, const std::string& count, const ExprEnv& env) {
  const TypeContext& ctx = *env.types;
  const TypeCategory cat = element.empty() ? TypeCategory::kUnknown : Categorize(element, ctx);
  if (element.pointer_depth == 0 && (cat == TypeCategory::kChar || element.base == "void")) {
    return "bytearray(" + count + ")";
  }
  const CType resolved = ResolveAliases(element, ctx);
  if (resolved.pointer_depth == 0 && ctx.structs.count(resolved.base)) {
    return fmt::format("[{}() for _ in range({})]", resolved.base, count);
  }
  const std::string zero = element.empty() ? "None" : ZeroValue(element, ctx);
  return fmt::format("[{}] * {}", zero, Parenthesize(count));
}

void Note(const ExprEnv& env, std::string note) {
  if (env.notes != nullptr) env.notes->push_back(std::move(note));
}

std::string RewritePrange(const std::vector<std::string>& args, const ExprEnv& env) {
  static const std::set<std::string> kDropped = {"nogil", "schedule", "chunksize", "num_threads",
                                                 "use_threads_if"};
  std::string out;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    if (eq != std::string::npos && kDropped.count(Trim(a.substr(0, eq)))) continue;
    out += (out.empty() ? "" : ", ") + RewriteExpression(a, env).text;
  }
  return "range(" + out + ")";
}

// Arguments text of the call whose '(' is toks[open].
std::vector<std::string> CallArgs(std::string_view text, const Tokens& toks, size_t open,
                                  size_t close) {
  return SplitTopLevel(Span(text, toks, open + 1, close));
}

}  // namespace

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n\f");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n\f");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> SplitTopLevel(std::string_view text, std::string_view sep) {
  const Tokens toks = Tokenize(text);
  std::vector<std::string> parts;
  size_t start = 0;
  int depth = 0;
  for (size_t k = 0; k < toks.size(); ++k) {
    if (IsOpenBracket(toks[k])) ++depth;
    if (toks[k].Is(")") || toks[k].Is("]") || toks[k].Is("}")) --depth;
    if (depth == 0 && toks[k].Is(sep)) {
      parts.push_back(Trim(text.substr(start, toks[k].begin - start)));
      start = toks[k].end;
    }
  }
  std::string last = Trim(text.substr(start));
  if (!last.empty() || !parts.empty()) parts.push_back(last);
  return parts;
}

std::string ElementCount(std::string_view bytes, CType* element, const ExprEnv& env) {
  return CountFromBytes(bytes, element, env);
}

bool IsAllocator(std::string_view n) {
  return n == "malloc" || n == "calloc" || n == "realloc" || n == "PyMem_Malloc" ||
         n == "PyMem_Calloc" || n == "PyMem_Realloc" || n == "PyMem_RawMalloc" ||
         n == "PyMem_RawCalloc" || n == "PyMem_RawRealloc";
}

bool IsDeallocator(std::string_view n) {
  return n == "free" || n == "PyMem_Free" || n == "PyMem_RawFree";
}

std::string RewriteAllocation(std::string_view call, const CType& element, const ExprEnv& env) {
  const Tokens toks = Tokenize(call);
  if (toks.size() < 3 || !toks[0].IsName() || !IsAllocator(toks[0].text) || !toks[1].Is("(") ||
      MatchingClose(toks, 1) != toks.size() - 1) {
    return "";
  }
  const std::string_view name = toks[0].text;
  const std::vector<std::string> args = CallArgs(call, toks, 1, toks.size() - 1);
  CType elem = element;
  std::string count;
  std::string previous;
  const bool is_calloc = name == "calloc" || name.ends_with("Calloc");
  const bool is_realloc = name == "realloc" || name.ends_with("Realloc");
  if (is_calloc) {
    if (args.size() != 2) return "";
    CType a = SizeofArgument(args[0]);
    CType b = SizeofArgument(args[1]);
    if (!b.empty()) {
      if (elem.empty()) elem = b;
      count = RewriteExpression(args[0], env).text;
    } else if (!a.empty()) {
      if (elem.empty()) elem = a;
      count = RewriteExpression(args[1], env).text;
    } else {
      count = CountFromBytes(args[0] + " * " + args[1], &elem, env);
    }
  } else if (is_realloc) {
    if (args.size() != 2) return "";
    previous = RewriteExpression(args[0], env).text;
    count = CountFromBytes(args[1], &elem, env);
  } else {
    if (args.size() != 1) return "";
    count = CountFromBytes(args[0], &elem, env);
  }
  Note(env, fmt::format("{} buffer -> Python list", name));
  const std::string fresh = BufferOf(elem, count, env);
  if (previous.empty()) return fresh;
  return fmt::format("({} + {})[:{}]", Parenthesize(previous), fresh, count);
}

ExprResult RewriteExpression(std::string_view text, const ExprEnv& env) {
  const Tokens toks = Tokenize(text);
  ExprResult r;
  size_t copied = 0;  // text[0, copied) is already in r.text
  auto replace = [&](size_t first, size_t last, const std::string& with) {
    r.text.append(text.substr(copied, toks[first].begin - copied));
    r.text += with;
    copied = toks[last - 1].end;
  };
  auto fail = [&](std::string why) {
    if (r.failure.empty()) r.failure = std::move(why);
  };
  for (size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    const bool attr = i > 0 && toks[i - 1].Is(".");
    const bool call = i + 1 < toks.size() && toks[i + 1].Is("(");
    CType cast;
    if (size_t close = ParseCastType(text, toks, i, &cast); close != 0) {
      const size_t end = OperandEnd(text, toks, close + 1);
      if (end == close + 1) continue;
      const std::string operand_src(Span(text, toks, close + 1, end));
      std::string alloc;
      if (cast.pointer_depth > 0) {
        CType element = cast;
        --element.pointer_depth;
        alloc = RewriteAllocation(operand_src, element, env);
      }
      if (!alloc.empty()) {
        replace(i, end, alloc);
      } else {
        ExprResult inner = RewriteExpression(operand_src, env);
        if (!inner.failure.empty()) fail(inner.failure);
        const std::string fn = CastFunction(cast, *env.types);
        const bool simple = IsPrimary(inner.text) || inner.text.front() == '(';
        if (fn.empty()) {
          replace(i, end, simple ? inner.text : "(" + inner.text + ")");
        } else {
          replace(i, end, fn + "(" + StripOuterParens(inner.text) + ")");
        }
      }
      i = end - 1;
      continue;
    }
    if (t.Is("&") && InUnaryPosition(toks, i) && i + 1 < toks.size() &&
        env.boxed.count(std::string(toks[i + 1].text)) &&
        (i + 2 >= toks.size() || !(toks[i + 2].Is("[") || toks[i + 2].Is(".")))) {
      replace(i, i + 2, std::string(toks[i + 1].text));  // &x passes x's one-element list
      ++i;
      continue;
    }
    if (t.IsName() && !attr && env.boxed.count(std::string(t.text)) &&
        !(i + 1 < toks.size() && toks[i + 1].Is("("))) {
      replace(i, i + 1, std::string(t.text) + "[0]");
      continue;
    }
    if (t.Is(".") && env.cpp_pairs && i + 1 < toks.size() &&
        (toks[i + 1].Is("first") || toks[i + 1].Is("second")) &&
        !(i > 0 && toks[i - 1].Is("self"))) {
      replace(i, i + 2, toks[i + 1].Is("first") ? "[0]" : "[1]");  // libcpp pair -> tuple
      ++i;
      continue;
    }
    if (t.IsName() && !attr) {
      if (std::optional<SpecialCall> sc = RewriteSpecialCall(text, toks, i, env)) {
        if (!sc->failure.empty()) {
          fail(sc->failure);
        } else {
          replace(i, sc->end, sc->text);
          i = sc->end - 1;
          continue;
        }
      }
    }
    if (t.Is("&") && InUnaryPosition(toks, i) && i + 1 < toks.size()) {
      replace(i, i + 1, "");
      copied = toks[i + 1].begin;  // drop any space after '&'
      Note(env, "address-of '&' dropped: Python passes references");
      continue;
    }
    if ((t.Is("==") || t.Is("!=")) && i + 1 < toks.size() && toks[i + 1].Is("NULL")) {
      replace(i, i + 2, t.Is("==") ? "is None" : "is not None");
      ++i;
      continue;
    }
    if (t.Is("NULL") && !attr) {
      replace(i, i + 1, "None");
      continue;
    }
    if (t.Is("not") && i + 1 < toks.size() && toks[i + 1].IsName()) {
      size_t k = i + 1;
      std::string path(toks[k++].text);
      while (k + 1 < toks.size() && toks[k].Is(".") && toks[k + 1].IsName()) {
        path += "." + std::string(toks[k + 1].text);
        k += 2;
      }
      const bool ends = k == toks.size() || toks[k].Is(":") || toks[k].Is(")") || toks[k].Is(",") ||
                        toks[k].Is("and") || toks[k].Is("or") ||
                        toks[k].kind == TokenKind::kComment;
      if (ends && env.pointer_names.count(path)) {
        replace(i, k, path + " is None");
        i = k - 1;
        continue;
      }
    }
    if (t.IsName() && !attr && env.memview_dims.count(std::string(t.text))) {
      const int dims = env.memview_dims.at(std::string(t.text));
      // name.shape[k] -> len(name[0]...[0])
      if (i + 5 < toks.size() && toks[i + 1].Is(".") && toks[i + 2].Is("shape") &&
          toks[i + 3].Is("[") && toks[i + 4].kind == TokenKind::kNumber && toks[i + 5].Is("]")) {
        const int axis = std::atoi(std::string(toks[i + 4].text).c_str());
        if (axis < dims) {
          std::string target(t.text);
          for (int a = 0; a < axis; ++a) target += "[0]";
          replace(i, i + 6, "len(" + target + ")");
          i += 5;
          continue;
        }
      }
      // name[a, b] -> name[a][b] when no index is a slice.
      if (dims > 1 && i + 1 < toks.size() && toks[i + 1].Is("[")) {
        const size_t close = MatchingClose(toks, i + 1);
        if (close < toks.size()) {
          const std::vector<std::string> idx = SplitTopLevel(Span(text, toks, i + 2, close));
          bool slice = false;
          for (const std::string& x : idx) {
            for (const Token& tk : Tokenize(x)) slice = slice || tk.Is(":");
          }
          if (idx.size() > 1 && !slice) {
            std::string out(t.text);
            for (const std::string& x : idx) out += "[" + RewriteExpression(x, env).text + "]";
            replace(i, close + 1, out);
            i = close;
            continue;
          }
        }
      }
    }
    if (t.kind == TokenKind::kName && call && !attr) {
      const size_t close = MatchingClose(toks, i + 1);
      if (close < toks.size()) {
        if (t.text == "sizeof") {
          CType st = ParseCType(text, toks, i + 2, close);
          std::optional<int> size = st.empty() ? std::nullopt : SizeOf(st, *env.types);
          if (size) {
            replace(i, close + 1, std::to_string(*size));
          } else {
            fail(fmt::format("sizeof of a type without a Python size: {}",
                             Span(text, toks, i, close + 1)));
          }
          i = close;
          continue;
        }
        if (IsAllocator(t.text)) {
          const std::string alloc = RewriteAllocation(Span(text, toks, i, close + 1), CType{}, env);
          if (!alloc.empty()) {
            replace(i, close + 1, alloc);
            i = close;
            continue;
          }
        }
        if (t.text == "prange") {
          replace(i, close + 1, RewritePrange(CallArgs(text, toks, i + 1, close), env));
          i = close;
          continue;
        }
        if (auto it = env.call_renames.find(std::string(t.text)); it != env.call_renames.end()) {
          if (it->second.rfind("_c_", 0) == 0 && env.helpers != nullptr) {
            env.helpers->insert(it->second);  // a C-semantics helper (c_numbers.h)
          }
          replace(i, i + 1, it->second);
          continue;
        }
      }
    }
    if (t.Is("xrange") && !attr) {
      replace(i, i + 1, "range");
      continue;
    }
    if (t.kind == TokenKind::kString && (t.text[0] == 'c' || t.text[0] == 'C')) {
      const std::string literal(t.text.substr(1));
      const bool one_char = literal.size() == 3 || (literal.size() == 4 && literal[1] == '\\');
      replace(i, i + 1, one_char ? "ord(" + literal + ")" : "b" + literal);
      continue;
    }
    if (t.kind == TokenKind::kNumber) {
      std::string_view num = t.text;
      const bool hex = num.size() > 1 && (num[1] == 'x' || num[1] == 'X');
      size_t keep = num.size();
      while (keep > 0 && (num[keep - 1] == 'u' || num[keep - 1] == 'U' || num[keep - 1] == 'l' ||
                          num[keep - 1] == 'L')) {
        --keep;
      }
      if (keep != num.size() && !(hex && keep == 1))
        replace(i, i + 1, std::string(num.substr(0, keep)));
      continue;
    }
  }
  r.text.append(text.substr(copied));
  return r;
}

}  // namespace cnake::translate
