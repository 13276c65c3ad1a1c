#include "report/error_normalizer.h"

#include <algorithm>
#include <cctype>

#include "report/text_escape.h"

namespace cnake::report {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Characters that end a token: whitespace, quotes, brackets and separators
// that commonly surround values in messages ("key=value", "(x, y)").
bool EndsToken(char c) {
  return IsSpace(c) || c == '"' || c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '{' || c == '}' || c == '<' || c == '>' || c == ',' || c == ';' || c == '=' ||
         c == '`';
}

bool IsUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !IsHex(t[i])) return false;
  }
  return true;
}

// -12, 3.5, 1e9, 1,5 is two tokens; an optional unit suffix of up to three
// letters ("150ms", "10KiB") is kept after the placeholder.
bool SplitNumber(std::string_view t, std::string_view* unit) {
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  const std::size_t digits_start = i;
  while (i < t.size() && IsDigit(t[i])) ++i;
  if (i == digits_start) return false;
  if (i + 1 < t.size() && t[i] == '.' && IsDigit(t[i + 1])) {
    ++i;
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  if (i + 1 < t.size() && (t[i] == 'e' || t[i] == 'E') &&
      (IsDigit(t[i + 1]) ||
       ((t[i + 1] == '-' || t[i + 1] == '+') && i + 2 < t.size() && IsDigit(t[i + 2])))) {
    i += 2;
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  std::string_view rest = t.substr(i);
  if (rest.size() > 3 || !std::all_of(rest.begin(), rest.end(), IsAlpha)) return false;
  *unit = rest;
  return true;
}

bool IsHexBlob(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    return std::all_of(t.begin() + 2, t.end(), IsHex);
  }
  return t.size() >= 8 && std::all_of(t.begin(), t.end(), IsHex) &&
         std::any_of(t.begin(), t.end(), IsDigit);
}

bool IsSeparator(char c) { return c == '-' || c == '_' || c == ':' || c == '.' || c == '/'; }

// Digits with separators only (addresses, versions, dates, times) or a mix
// of letters and digits that looks generated ("entry-0042", "b-2026...").
bool IsIdLike(std::string_view t) {
  const bool digit = std::any_of(t.begin(), t.end(), IsDigit);
  if (!digit) return false;
  const bool alpha = std::any_of(t.begin(), t.end(), IsAlpha);
  const bool sep = std::any_of(t.begin(), t.end(), IsSeparator);
  if (!alpha) return true;
  return sep || t.size() >= 8;
}

bool IsPath(std::string_view t) {
  if (t.size() < 2) return false;
  if (t[0] == '/') return true;
  return t.rfind("./", 0) == 0 || t.rfind("../", 0) == 0 || t.rfind("~/", 0) == 0;
}

// Appends the placeholder for one token, or the token itself.
void EmitToken(std::string_view t, std::string& out) {
  // Trailing sentence punctuation belongs to the message, not the value.
  std::size_t end = t.size();
  while (end > 0 &&
         (t[end - 1] == '.' || t[end - 1] == ':' || t[end - 1] == '!' || t[end - 1] == '?')) {
    --end;
  }
  std::string_view core = t.substr(0, end), tail = t.substr(end);
  std::string_view unit;
  if (core.empty()) {
  } else if (core.find("://") != std::string_view::npos) {
    out += "<url>";
  } else if (IsUuid(core)) {
    out += "<uuid>";
  } else if (IsPath(core)) {
    out += "<path>";
  } else if (SplitNumber(core, &unit)) {
    out += "<n>";
    out += unit;
  } else if (IsHexBlob(core)) {
    out += "<hex>";
  } else if (IsIdLike(core)) {
    out += "<id>";
  } else {
    for (char c : core) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  out += tail;
}

// Length of a quoted string starting at s[0] (a quote), or 0 when it does not
// close on the same line within a reasonable distance.
std::size_t QuotedLength(std::string_view s) {
  constexpr std::size_t kMaxQuoted = 2000;
  const char q = s[0];
  for (std::size_t i = 1; i < s.size() && i < kMaxQuoted; ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '\n') {
      return 0;
    } else if (s[i] == q) {
      return i + 1;
    }
  }
  return 0;
}

}  // namespace

std::string NormalizeErrorMessage(std::string_view m) {
  std::string out;
  out.reserve(std::min(m.size(), kMaxPatternBytes) + 8);
  std::size_t i = 0;
  bool pending_space = false;
  while (i < m.size() && out.size() < kMaxPatternBytes) {
    const char c = m[i];
    if (IsSpace(c)) {
      pending_space = !out.empty();
      ++i;
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    // A quote opens a string at the start of a token ("don't" is not one).
    const bool at_token_start = i == 0 || EndsToken(m[i - 1]);
    if ((c == '"' || (c == '\'' && at_token_start)) && QuotedLength(m.substr(i)) > 0) {
      out += "<str>";
      i += QuotedLength(m.substr(i));
      continue;
    }
    if (EndsToken(c)) {
      out += c;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < m.size() && !EndsToken(m[j])) ++j;
    EmitToken(m.substr(i, j - i), out);
    i = j;
  }
  out = SanitizeUtf8(out);
  if (out.size() > kMaxPatternBytes) {
    // Cut at a character boundary.
    std::size_t cut = kMaxPatternBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

}  // namespace cnake::report
