#include "translate/lexer.h"

#include <array>
#include <cctype>

namespace cnake::translate {
namespace {

// ASCII tests, not <cctype>'s: the same answers as the "C" locale the
// translator assumes, without a library call per character (the reference
// server tokenizes every submitted module, several times over).
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsIdentStart(char c) {
  return IsAsciiLetter(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool OneOf(std::string_view set, char c) { return set.find(c) != std::string_view::npos; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Length of a string prefix (r, b, u, f, rb, br, fr, rf, c, any case) at pos
// when it is immediately followed by a quote, else 0.
size_t StringPrefixLength(std::string_view s, size_t pos) {
  size_t n = 0;
  while (pos + n < s.size() && n < 2 && OneOf("rRbBuUfFcC", s[pos + n])) ++n;
  if (n > 0 && pos + n < s.size() && (s[pos + n] == '\'' || s[pos + n] == '"')) return n;
  return 0;
}

// End offset of the string literal whose opening quote is at pos.
size_t ScanString(std::string_view s, size_t pos) {
  const char q = s[pos];
  const bool triple = pos + 2 < s.size() && s[pos + 1] == q && s[pos + 2] == q;
  size_t i = pos + (triple ? 3 : 1);
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
      continue;
    }
    if (triple) {
      if (s[i] == q && i + 2 < s.size() && s[i + 1] == q && s[i + 2] == q) return i + 3;
    } else if (s[i] == q) {
      return i + 1;
    } else if (s[i] == '\n') {
      return i;  // unterminated single-quoted string: stop at the newline
    }
    ++i;
  }
  return s.size();
}

size_t ScanNumber(std::string_view s, size_t pos) {
  size_t i = pos;
  if (s[i] == '0' && i + 1 < s.size() && OneOf("xXoObB", s[i + 1])) {
    i += 2;
    while (i < s.size() && (std::isxdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  } else {
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      size_t j = i + 1;
      if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
      if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
        i = j;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      }
    }
  }
  // Python's imaginary suffix and Cython's C integer suffixes (U, L, LL, ULL).
  while (i < s.size() && OneOf("jJuUlL", s[i])) ++i;
  return i;
}

constexpr std::array<std::string_view, 24> kMultiCharOps = {
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**",
    "//",  "<<",  ">>",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=", "@="};

}  // namespace

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++i;
      continue;
    }
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
      i += 2;
      continue;
    }
    const size_t start = i;
    TokenKind kind = TokenKind::kOp;
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      kind = TokenKind::kComment;
    } else if (size_t p = StringPrefixLength(s, i); IsIdentStart(c) && p > 0) {
      i = ScanString(s, i + p);
      kind = TokenKind::kString;
    } else if (c == '\'' || c == '"') {
      i = ScanString(s, i);
      kind = TokenKind::kString;
    } else if (IsIdentStart(c)) {
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      kind = TokenKind::kName;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      i = ScanNumber(s, i);
      kind = TokenKind::kNumber;
    } else {
      size_t len = 1;
      for (std::string_view op : kMultiCharOps) {
        if (op[0] == c && s.substr(i, op.size()) == op) {
          len = op.size();
          break;
        }
      }
      i += len;
    }
    out.push_back(Token{kind, s.substr(start, i - start), start, i});
  }
  return out;
}

std::string_view Span(std::string_view text, const std::vector<Token>& tokens, size_t first,
                      size_t last) {
  if (first >= last || last > tokens.size()) return {};
  return text.substr(tokens[first].begin, tokens[last - 1].end - tokens[first].begin);
}

size_t MatchingClose(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].kind != TokenKind::kOp) continue;
    const std::string_view t = tokens[i].text;
    if (t == "(" || t == "[" || t == "{") ++depth;
    if (t == ")" || t == "]" || t == "}") {
      if (--depth == 0) return i;
    }
  }
  return tokens.size();
}

size_t CodeEnd(const std::vector<Token>& tokens) {
  size_t n = tokens.size();
  while (n > 0 && tokens[n - 1].kind == TokenKind::kComment) --n;
  return n;
}

int IndentWidth(std::string_view indent) {
  int w = 0;
  for (char c : indent) w = c == '\t' ? (w / 8 + 1) * 8 : w + 1;
  return w;
}

bool LogicalLine::IsBlankOrComment() const {
  const size_t p = body.find_first_not_of(" \t\r\f");
  return p == std::string::npos || body[p] == '#';
}

int LogicalLine::Width() const { return IndentWidth(indent); }

bool LogicalLine::OpensBlock() const {
  const std::vector<Token> toks = Tokenize(body);
  size_t n = toks.size();
  while (n > 0 && toks[n - 1].kind == TokenKind::kComment) --n;
  return n > 0 && toks[n - 1].Is(":");
}

std::vector<LogicalLine> SplitLogicalLines(std::string_view src) {
  std::vector<LogicalLine> lines;
  size_t i = 0;
  int line_no = 1;
  while (i < src.size()) {
    LogicalLine ll;
    ll.first_line = line_no;
    size_t body_start = i;
    while (body_start < src.size() &&
           (src[body_start] == ' ' || src[body_start] == '\t' || src[body_start] == '\f')) {
      ++body_start;
    }
    ll.indent = std::string(src.substr(i, body_start - i));
    size_t j = body_start;
    int depth = 0;
    bool done = false;
    while (j < src.size() && !done) {
      const char c = src[j];
      if (c == '\n') {
        if (depth > 0) {
          ++line_no;
          ll.continuation_in_string.push_back(false);
          ++j;
        } else {
          done = true;
        }
      } else if (c == '\\' && j + 1 < src.size() && src[j + 1] == '\n') {
        ++line_no;
        ll.continuation_in_string.push_back(false);
        j += 2;
      } else if (c == '#') {
        while (j < src.size() && src[j] != '\n') ++j;
      } else if (c == '\'' || c == '"') {
        const size_t end = ScanString(src, j);
        for (size_t k = j; k < end; ++k) {
          if (src[k] == '\n') {
            ++line_no;
            ll.continuation_in_string.push_back(true);
          }
        }
        j = end;
      } else {
        if (c == '(' || c == '[' || c == '{') ++depth;
        if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        ++j;
      }
    }
    size_t body_end = j;
    if (body_end > body_start && src[body_end - 1] == '\r') --body_end;
    ll.body = std::string(src.substr(body_start, body_end - body_start));
    ll.last_line = line_no;
    lines.push_back(std::move(ll));
    if (j < src.size()) {
      ++j;  // the newline
      ++line_no;
    }
    i = j;
  }
  return lines;
}

}  // namespace cnake::translate
