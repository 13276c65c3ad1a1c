// Module docstring extraction. A small hand-written scanner: only the prefix
// of the module up to the end of the first statement is looked at, so a full
// Python tokenizer would be overkill, and it must accept any byte sequence
// (the function is fuzzed).

#include <string>
#include <string_view>

#include "importer/importer.h"
#include "importer/text_util.h"

namespace cnake {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsQuote(char c) { return c == '"' || c == '\''; }
bool IsNewline(char c) { return c == '\n' || c == '\r'; }
bool IsPrefix(char c) { return c == 'r' || c == 'R' || c == 'u' || c == 'U'; }

// Index just past blank lines and comment lines (comments, "# cython:"
// directives and encoding declarations are all comments) starting at `pos`.
std::size_t SkipBlankAndComments(std::string_view s, std::size_t pos) {
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || IsNewline(c)) {
      ++pos;
    } else if (c == '#') {
      while (pos < s.size() && !IsNewline(s[pos])) ++pos;
    } else {
      break;
    }
  }
  return pos;
}

// Length of the line break at s[pos] (\r\n, \n or \r), or 0.
std::size_t NewlineLength(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  if (s[pos] == '\r') return pos + 1 < s.size() && s[pos + 1] == '\n' ? 2 : 1;
  return s[pos] == '\n' ? 1 : 0;
}

// Appends the meaning of the escape whose backslash is at s[pos] and returns
// the number of bytes it spans. Only common escapes are decoded; the rest are
// kept verbatim, which reads fine in a one-line description.
std::size_t DecodeEscape(std::string_view s, std::size_t pos, bool raw, std::string& out) {
  if (pos + 1 >= s.size()) {
    out += '\\';
    return 1;
  }
  const char next = s[pos + 1];
  if (raw) {  // the backslash only stops the next character from closing the literal
    out += '\\';
    out += next;
    return 2;
  }
  if (const std::size_t nl = NewlineLength(s, pos + 1)) return 1 + nl;  // line continuation
  switch (next) {
    case '\\':
      out += '\\';
      break;
    case '\'':
      out += '\'';
      break;
    case '"':
      out += '"';
      break;
    case 'n':
      out += '\n';
      break;
    case 't':
      out += '\t';
      break;
    case 'r':
      out += '\r';
      break;
    default:
      out += '\\';
      out += next;
      break;
  }
  return 2;
}

// True when what follows a closed literal at `pos` still makes the literal a
// statement of its own: end of line/file, a comment, ';', or implicit
// concatenation with another literal. `"x".join(y)` is not a docstring.
bool EndsStatement(std::string_view s, std::size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\f')) ++pos;
  if (pos >= s.size()) return true;
  const char c = s[pos];
  if (IsNewline(c) || c == '#' || c == ';' || IsQuote(c) || c == '\\') return true;
  return IsPrefix(c) && pos + 1 < s.size() && IsQuote(s[pos + 1]);
}

// The decoded body of the string literal starting at s[pos], or nullopt if
// there is none or it is unterminated.
std::optional<std::string> ReadDocstringLiteral(std::string_view s, std::size_t pos) {
  bool raw = false;
  if (pos + 1 < s.size() && IsPrefix(s[pos]) && IsQuote(s[pos + 1])) {
    raw = s[pos] == 'r' || s[pos] == 'R';
    ++pos;
  }
  if (pos >= s.size() || !IsQuote(s[pos])) return std::nullopt;
  const char quote = s[pos];
  const std::string closing(3, quote);
  const bool triple = s.substr(pos, 3) == closing;
  pos += triple ? 3 : 1;

  std::string body;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '\\') {
      pos += DecodeEscape(s, pos, raw, body);
    } else if (triple ? s.substr(pos, 3) == closing : c == quote) {
      pos += triple ? 3 : 1;
      if (!EndsStatement(s, pos)) return std::nullopt;
      return body;
    } else if (!triple && IsNewline(c)) {
      return std::nullopt;  // a one-quote literal cannot span lines
    } else {
      body += c;
      ++pos;
    }
  }
  return std::nullopt;
}

// If `line` is a "Keywords:" line, the text after the colon.
std::optional<std::string_view> KeywordsValue(std::string_view line) {
  constexpr std::string_view kLabel = "keywords";
  if (line.size() < kLabel.size()) return std::nullopt;
  for (std::size_t i = 0; i < kLabel.size(); ++i) {
    const char c = line[i];
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kLabel[i]) return std::nullopt;
  }
  std::string_view rest = line.substr(kLabel.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != ':') return std::nullopt;
  return rest.substr(1);
}

}  // namespace

DocstringInfo ParseModuleDocstring(std::string_view source) {
  if (source.substr(0, kBom.size()) == kBom) source.remove_prefix(kBom.size());
  DocstringInfo info;
  const std::optional<std::string> body =
      ReadDocstringLiteral(source, SkipBlankAndComments(source, 0));
  if (!body) return info;

  std::string_view rest = *body;
  while (!rest.empty()) {
    std::size_t end = 0;
    while (end < rest.size() && !IsNewline(rest[end])) ++end;
    const std::string_view line = importer::TrimAscii(rest.substr(0, end));
    rest.remove_prefix(end + NewlineLength(rest, end));
    if (auto keywords = KeywordsValue(line)) {
      // "a, b c" is two tags ("b c" is a phrase); "a b c" is three.
      const bool has_comma = keywords->find(',') != std::string_view::npos;
      importer::AppendTags(*keywords, /*split_on_space=*/!has_comma, info.tags);
    } else if (!info.description && !line.empty()) {
      info.description = std::string(line);
    }
  }
  return info;
}

}  // namespace cnake
