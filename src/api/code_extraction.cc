#include "api/code_extraction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace cnake::api {
namespace {

// Hand-written scanners rather than std::regex: replies come from the network
// and libstdc++'s regex recurses per character (a long line overflows the stack).

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return lines;
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Fence {
  char ch = 0;
  std::size_t length = 0;
  std::size_t indent = 0;
  std::string language;  // first word of the info string, lower case
};

// A fence opening line, or nullopt.
std::optional<Fence> OpeningFence(std::string_view line) {
  Fence f;
  while (f.indent < line.size() && line[f.indent] == ' ') ++f.indent;
  if (f.indent > 3 || f.indent >= line.size()) return std::nullopt;
  f.ch = line[f.indent];
  if (f.ch != '`' && f.ch != '~') return std::nullopt;
  std::size_t i = f.indent;
  while (i < line.size() && line[i] == f.ch) ++i;
  f.length = i - f.indent;
  if (f.length < 3) return std::nullopt;
  const std::string_view info = Trim(line.substr(i));
  if (f.ch == '`' && info.find('`') != std::string_view::npos) return std::nullopt;
  f.language = Lower(info.substr(0, info.find_first_of(" \t{")));
  return f;
}

bool ClosesFence(std::string_view line, const Fence& open) {
  std::size_t indent = 0;
  while (indent < line.size() && line[indent] == ' ') ++indent;
  if (indent > 3) return false;
  std::size_t i = indent;
  while (i < line.size() && line[i] == open.ch) ++i;
  return i - indent >= open.length && IsBlank(line.substr(i));
}

// The content line with up to `indent` leading spaces removed (CommonMark).
std::string_view Unindent(std::string_view line, std::size_t indent) {
  std::size_t n = 0;
  while (n < indent && n < line.size() && line[n] == ' ') ++n;
  return line.substr(n);
}

struct Block {
  std::string language;
  std::string code;
};

std::vector<Block> FencedBlocks(const std::vector<std::string_view>& lines) {
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::optional<Fence> fence = OpeningFence(lines[i]);
    if (!fence) continue;
    Block block{fence->language, ""};
    std::size_t j = i + 1;
    for (; j < lines.size() && !ClosesFence(lines[j], *fence); ++j) {
      block.code.append(Unindent(lines[j], fence->indent)).push_back('\n');
    }
    blocks.push_back(std::move(block));
    i = j;  // past the closing fence (or the end)
  }
  return blocks;
}

bool IsPythonLanguage(const std::string& language) {
  return language == "python" || language == "py" || language == "python3" || language == "py3";
}

// Blank lines at either end removed, one trailing newline.
std::string TidyCode(std::string_view text) {
  std::vector<std::string_view> lines = Lines(text);
  while (!lines.empty() && IsBlank(lines.back())) lines.pop_back();
  std::size_t first = 0;
  while (first < lines.size() && IsBlank(lines[first])) ++first;
  std::string out;
  for (std::size_t i = first; i < lines.size(); ++i) out.append(lines[i]).push_back('\n');
  return out;
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Length of a dotted name with optional [subscripts] at the front of `s`, 0 if none.
std::size_t TargetLength(std::string_view s) {
  if (s.empty() || !IsIdentStart(s[0])) return 0;
  std::size_t i = 1;
  while (i < s.size()) {
    if (IsIdentChar(s[i]) || (s[i] == '.' && i + 1 < s.size() && IsIdentStart(s[i + 1]))) {
      ++i;
    } else if (s[i] == '[') {
      const std::size_t close = s.find(']', i);
      if (close == std::string_view::npos) return i;
      i = close + 1;
    } else {
      break;
    }
  }
  return i;
}

bool IsAssignment(std::string_view s) {
  // target (, target)* [: annotation] <op>= value
  for (;;) {
    const std::size_t n = TargetLength(s);
    if (n == 0) return false;
    s = TrimLeft(s.substr(n));
    if (s.empty() || s[0] != ',') break;
    s = TrimLeft(s.substr(1));
  }
  if (!s.empty() && s[0] == ':') {  // an annotation: "x: int = 3" or "x: int"
    const std::size_t eq = s.find('=');
    return eq == std::string_view::npos || eq + 1 >= s.size() || s[eq + 1] != '=';
  }
  static constexpr std::array<std::string_view, 13> kOps = {
      "=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "|=", "&=", "^=", ">>=", "<<="};
  for (std::string_view op : kOps) {
    if (s.substr(0, op.size()) == op) return s.size() == op.size() || s[op.size()] != '=';
  }
  return false;
}

bool IsCall(std::string_view s) {
  const std::size_t n = TargetLength(s);
  return n > 0 && n < s.size() && s[n] == '(';
}

bool StartsWithKeyword(std::string_view s) {
  static constexpr std::array<std::string_view, 24> kKeywords = {
      "def",      "class", "import", "from",   "return",  "if",       "elif",  "else",
      "for",      "while", "try",    "except", "finally", "with",     "pass",  "break",
      "continue", "raise", "yield",  "assert", "global",  "nonlocal", "async", "del"};
  std::size_t n = 0;
  while (n < s.size() && IsIdentChar(s[n])) ++n;
  const std::string_view word = s.substr(0, n);
  if (n < s.size() && IsIdentChar(s[n])) return false;
  return std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end() &&
         (n == s.size() || s[n] == ' ' || s[n] == ':' || s[n] == '(');
}

bool IsCodeLine(std::string_view line) {
  const std::string_view s = Trim(line);
  if (s.empty()) return false;
  if (s[0] == '#' || s[0] == '@' || s[0] == ')' || s[0] == ']' || s[0] == '}') return true;
  return StartsWithKeyword(s) || IsAssignment(s) || IsCall(s);
}

// A plain word: letters and apostrophes, with one trailing punctuation mark.
std::size_t WordLength(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && (std::isalpha(static_cast<unsigned char>(s[n])) || s[n] == '\'')) ++n;
  if (n > 0 && n < s.size() && std::string_view(",.:;!?").find(s[n]) != std::string_view::npos) {
    ++n;
  }
  return n;
}

bool IsProseLine(std::string_view line) {
  std::string_view s = Trim(line);
  if (s.empty() || !std::isupper(static_cast<unsigned char>(s[0]))) return false;
  if (s.find_first_of("=()") != std::string_view::npos) return false;
  const std::string_view first = s.substr(0, WordLength(s));
  if (first.empty() || first == "None" || first == "True" || first == "False") return false;
  int words = 0;
  while (!s.empty() && words < 3) {
    const std::size_t n = WordLength(s);
    if (n == 0 || (n < s.size() && s[n] != ' ')) return false;
    ++words;
    s = TrimLeft(s.substr(n));
  }
  return words >= 3;
}

// Counts the triple-quote delimiters on a line to follow docstrings.
void TrackTripleQuotes(std::string_view line, std::string_view& open) {
  for (std::size_t i = 0; i + 3 <= line.size();) {
    const std::string_view three = line.substr(i, 3);
    if (three == "\"\"\"" || three == "'''") {
      if (open.empty()) {
        open = three == "\"\"\"" ? "\"\"\"" : "'''";
      } else if (three == open) {
        open = {};
      }
      i += 3;
    } else {
      ++i;
    }
  }
}

}  // namespace

const char* ExtractionRuleName(ExtractionRule rule) {
  switch (rule) {
    case ExtractionRule::kPythonFence:
      return "python_fence";
    case ExtractionRule::kFirstFence:
      return "first_fence";
    case ExtractionRule::kWholeReply:
      return "whole_reply";
  }
  return "unknown";
}

bool LooksLikeCode(std::string_view text) {
  int code = 0;
  int prose = 0;
  std::string_view in_string;
  for (std::string_view line : Lines(text)) {
    if (in_string.empty() && !IsBlank(line)) {
      code += IsCodeLine(line);
      prose += IsProseLine(line);
    }
    TrackTripleQuotes(line, in_string);
  }
  return code > 0 && prose == 0;
}

std::optional<ExtractedCode> ExtractPython(std::string_view reply) {
  const std::vector<std::string_view> lines = Lines(reply);
  const std::vector<Block> blocks = FencedBlocks(lines);
  const Block* first = nullptr;
  for (const Block& b : blocks) {
    const bool empty = std::all_of(b.code.begin(), b.code.end(),
                                   [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
    if (empty) continue;
    if (IsPythonLanguage(b.language))
      return ExtractedCode{TidyCode(b.code), ExtractionRule::kPythonFence};
    if (first == nullptr) first = &b;
  }
  if (first != nullptr) return ExtractedCode{TidyCode(first->code), ExtractionRule::kFirstFence};
  if (blocks.empty() && LooksLikeCode(reply)) {
    return ExtractedCode{TidyCode(reply), ExtractionRule::kWholeReply};
  }
  return std::nullopt;
}

}  // namespace cnake::api
