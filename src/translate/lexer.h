// Lexing for Cython source: tokens within a statement and logical lines.
//
// The translator never rewrites text by regular expression over raw lines:
// everything goes through these tokens, so string literals and comments that
// happen to contain "cdef" or "<int>" are never touched. Pure functions,
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cnake::translate {

enum class TokenKind {
  kName,     // identifiers and keywords
  kNumber,   // including Cython's C suffixes (1ULL) and Python forms (1_000, 0x1F, 1e-3j)
  kString,   // a complete literal including prefix and quotes; Cython's c'x' included
  kOp,       // operators and delimiters; multi-character ones kept whole ("**=", "->")
  kComment,  // from '#' to end of physical line
};

struct Token {
  TokenKind kind;
  std::string_view text;  // view into the tokenized buffer
  size_t begin = 0;       // byte offsets into the tokenized buffer
  size_t end = 0;

  bool Is(std::string_view s) const { return kind != TokenKind::kString && text == s; }
  bool IsName() const { return kind == TokenKind::kName; }
};

// Tokenizes one logical line (which may span physical lines inside brackets,
// after a backslash, or inside a triple-quoted string). Whitespace, newlines and
// backslash continuations are skipped. Never fails: an unterminated string runs
// to the end of the input and a stray character becomes a one-char kOp.
std::vector<Token> Tokenize(std::string_view text);

// Returns text[tokens[first].begin, tokens[last - 1].end), or "" when empty.
std::string_view Span(std::string_view text, const std::vector<Token>& tokens, size_t first,
                      size_t last);

// Index of the bracket closing tokens[open] ("(", "[" or "{"), or tokens.size()
// when unbalanced.
size_t MatchingClose(const std::vector<Token>& tokens, size_t open);

// Number of tokens before any trailing comment token.
size_t CodeEnd(const std::vector<Token>& tokens);

struct LogicalLine {
  int first_line = 0;  // 1-based physical line numbers, inclusive
  int last_line = 0;
  std::string indent;  // leading whitespace of the first physical line
  std::string body;    // the rest, physical lines joined by '\n', no trailing newline
  // For each physical line after the first: true when it starts inside a
  // string literal, so re-indenting it would change the string's value.
  std::vector<bool> continuation_in_string;

  // Blank or comment-only lines carry no statement and do not open or close blocks.
  bool IsBlankOrComment() const;
  // Indentation width with tabs expanded to multiples of 8, as Python does.
  int Width() const;
  // True when the code (ignoring a trailing comment) ends with ':' at bracket depth 0.
  bool OpensBlock() const;
};

// Splits source into logical lines following Python's rules (brackets,
// backslashes and triple-quoted strings join physical lines).
std::vector<LogicalLine> SplitLogicalLines(std::string_view source);

// Indentation width of a whitespace prefix with tabs expanded to multiples of 8.
int IndentWidth(std::string_view indent);

}  // namespace cnake::translate
