#include "translate/statements.h"

#include <fmt/format.h>

#include "translate/memory_calls.h"

namespace cnake::translate {
namespace {

using Tokens = std::vector<Token>;

bool IsComparison(const Token& t) { return t.Is("<") || t.Is("<=") || t.Is(">") || t.Is(">="); }

std::string Plus(const std::string& e, int delta) {
  const std::string base = Tokenize(e).size() == 1 ? e : "(" + e + ")";
  return delta > 0 ? base + " + " + std::to_string(delta) : base + " - " + std::to_string(-delta);
}

}  // namespace

std::optional<std::string> RewriteForFrom(std::string_view body, const ExprEnv& env) {
  const Tokens toks = Tokenize(body);
  const size_t n = CodeEnd(toks);
  if (n < 8 || !toks[0].Is("for") || !toks[1].IsName() || !toks[2].Is("from") ||
      !toks[n - 1].Is(":")) {
    return std::nullopt;
  }
  const std::string var(toks[1].text);
  size_t end = n - 1;
  std::string step;
  int depth = 0;
  std::vector<size_t> cmps;
  for (size_t k = 3; k < n - 1; ++k) {
    if (toks[k].Is("(") || toks[k].Is("[")) ++depth;
    if (toks[k].Is(")") || toks[k].Is("]")) --depth;
    if (depth == 0 && toks[k].Is("by")) {
      step = RewriteExpression(Span(body, toks, k + 1, n - 1), env).text;
      end = k;
      break;
    }
    if (depth == 0 && IsComparison(toks[k])) cmps.push_back(k);
  }
  if (cmps.size() != 2 || cmps[1] != cmps[0] + 2 || toks[cmps[0] + 1].text != var)
    return std::nullopt;
  const std::string lo = RewriteExpression(Span(body, toks, 3, cmps[0]), env).text;
  const std::string hi = RewriteExpression(Span(body, toks, cmps[1] + 1, end), env).text;
  const std::string_view op1 = toks[cmps[0]].text, op2 = toks[cmps[1]].text;
  const bool up = op1[0] == '<' && op2[0] == '<';
  const bool down = op1[0] == '>' && op2[0] == '>';
  if (!up && !down) return std::nullopt;
  std::string start, stop, stride;
  if (up) {
    start = op1 == "<" ? Plus(lo, 1) : lo;
    stop = op2 == "<=" ? Plus(hi, 1) : hi;
    stride = step.empty() ? "" : ", " + step;
  } else {
    start = op1 == ">" ? Plus(lo, -1) : lo;
    stop = op2 == ">=" ? Plus(hi, -1) : hi;
    stride = ", -" + (step.empty()                 ? std::string("1")
                      : Tokenize(step).size() == 1 ? step
                                                   : "(" + step + ")");
  }
  std::string out = fmt::format("for {} in range({}, {}{}):", var, start, stop, stride);
  if (toks.back().kind == TokenKind::kComment) out += "  " + std::string(toks.back().text);
  return out;
}

WithRewrite AnalyzeWith(std::string_view body) {
  WithRewrite w;
  const Tokens toks = Tokenize(body);
  if (toks.empty() || !toks[0].Is("with")) return w;
  w.is_with = true;
  int depth = 0;
  size_t colon = toks.size();
  for (size_t k = 1; k < toks.size(); ++k) {
    if (toks[k].Is("(") || toks[k].Is("[") || toks[k].Is("{")) ++depth;
    if (toks[k].Is(")") || toks[k].Is("]") || toks[k].Is("}")) --depth;
    if (depth == 0 && toks[k].Is(":")) {
      colon = k;
      break;
    }
  }
  if (colon == toks.size()) return w;
  for (const std::string& item : SplitTopLevel(Span(body, toks, 1, colon))) {
    const Tokens it = Tokenize(item);
    const bool cython_item =
        !it.empty() && (it[0].Is("nogil") || it[0].Is("gil") ||
                        (it[0].Is("parallel") && it.size() > 1 && it[1].Is("(")) ||
                        (it[0].Is("cython") && it.size() > 1 && it[1].Is(".")));
    if (cython_item) {
      w.dropped_any = true;
    } else {
      w.kept.push_back(item);
    }
  }
  size_t suite_end = toks.size();
  if (toks.back().kind == TokenKind::kComment) {
    w.comment = std::string(toks.back().text);
    --suite_end;
  }
  if (colon + 1 < suite_end) w.suite = Trim(Span(body, toks, colon + 1, suite_end));
  return w;
}

StatementRewrite RewriteCStatement(std::string_view body, const std::set<std::string>& c_names,
                                   const ExprEnv& env) {
  StatementRewrite r;
  const Tokens toks = Tokenize(body);
  const size_t n = CodeEnd(toks);
  if (n == 0 || !toks[0].IsName()) return r;
  const std::string head(toks[0].text);
  const bool whole_call = n >= 3 && toks[1].Is("(") && MatchingClose(toks, 1) == n - 1;
  if (whole_call && IsDeallocator(head) && c_names.count(head)) {
    r.action = StatementAction::kDrop;
    r.reason = head + "() dropped: the buffer is garbage-collected";
    return r;
  }
  const bool memory_call =
      head == "memset" || head == "memcpy" || head == "memmove" || head == "qsort";
  if (whole_call && memory_call && c_names.count(head)) {
    return RewriteMemoryCall(head, SplitTopLevel(Span(body, toks, 2, n - 1)), env);
  }
  if (n == 5 && toks[1].Is(".") && toks[2].Is("import_array") && toks[3].Is("(") &&
      toks[4].Is(")")) {
    r.action = StatementAction::kDrop;
    r.reason = "numpy import_array() dropped: not needed in Python";
    return r;
  }
  if (head == "print" && n >= 2 && !toks[1].Is("(") && !toks[1].Is("=") && !toks[1].Is(".") &&
      !toks[1].Is(",") && toks[1].kind != TokenKind::kOp) {
    std::string args = Trim(Span(body, toks, 1, n));
    std::string end;
    if (!args.empty() && args.back() == ',') {
      args.pop_back();
      end = ", end=\" \"";
    }
    r.action = StatementAction::kReplace;
    r.text = "print(" + RewriteExpression(args, env).text + end + ")";
    return r;
  }
  if (head == "print" && n >= 2 && toks[1].Is(">>")) {
    r.action = StatementAction::kUntranslatable;
    r.reason = "Python 2 print redirection";
  }
  return r;
}

}  // namespace cnake::translate
