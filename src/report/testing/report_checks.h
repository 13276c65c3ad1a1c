// Structural checks of report outputs for tests: a strict RFC 4180 CSV
// parser, a GitHub-Markdown table checker, and an HTML well-formedness check
// (balanced tags, no raw '<' in text, no script or external resource).
// Test-only; header-only.
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cnake::report::testing {

// Rows of a CSV text; nullopt (and *error) when it is not RFC 4180 with CRLF
// line ends and the same number of fields on every row.
inline std::optional<std::vector<std::vector<std::string>>> ParseCsv(std::string_view t,
                                                                     std::string* error) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 0;
  auto fail = [&](const std::string& what) {
    *error = "row " + std::to_string(rows.size() + 1) + ": " + what;
    return std::nullopt;
  };
  while (i < t.size()) {
    if (t[i] == '"') {
      for (++i;; ++i) {
        if (i >= t.size()) return fail("unterminated quoted field");
        if (t[i] == '"') {
          if (i + 1 < t.size() && t[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          field += t[i];
        }
      }
    } else {
      while (i < t.size() && t[i] != ',' && t[i] != '\r' && t[i] != '\n') {
        if (t[i] == '"') return fail("quote inside an unquoted field");
        field += t[i++];
      }
    }
    if (i < t.size() && t[i] == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
      continue;
    }
    if (i + 1 < t.size() + 1 && t.substr(i, 2) == "\r\n") {
      row.push_back(std::move(field));
      field.clear();
      if (!rows.empty() && row.size() != rows[0].size()) {
        return fail(std::to_string(row.size()) + " fields, header has " +
                    std::to_string(rows[0].size()));
      }
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
      continue;
    }
    return fail("expected , or CRLF after a field");
  }
  if (!row.empty() || !field.empty()) return fail("the last row does not end with CRLF");
  return rows;
}

// Every table (a line starting with '|') has a header, a delimiter row and
// rows with the header's number of unescaped '|' separated cells.
inline bool CheckMarkdownTables(std::string_view text, std::string* error, int* tables = nullptr) {
  auto cells = [](std::string_view line) {
    int n = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
      } else if (line[i] == '|') {
        ++n;
      }
    }
    return n - 1;
  };
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    lines.push_back(text.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  int found = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty() || lines[i][0] != '|') continue;
    ++found;
    const int columns = cells(lines[i]);
    if (i + 1 >= lines.size() || lines[i + 1].find("---") == std::string_view::npos ||
        cells(lines[i + 1]) != columns) {
      *error = "table at line " + std::to_string(i + 1) + " has no delimiter row";
      return false;
    }
    std::size_t j = i + 2;
    for (; j < lines.size() && !lines[j].empty() && lines[j][0] == '|'; ++j) {
      if (cells(lines[j]) != columns || lines[j].back() != '|') {
        *error = "line " + std::to_string(j + 1) + " has " + std::to_string(cells(lines[j])) +
                 " cells, the header " + std::to_string(columns) + ": " + std::string(lines[j]);
        return false;
      }
    }
    if (j < lines.size() && !lines[j].empty()) {
      *error = "table at line " + std::to_string(i + 1) + " not followed by a blank line";
      return false;
    }
    i = j;
  }
  if (tables) *tables = found;
  return true;
}

// Tags balance (void elements excepted), attribute values are quoted, text
// has no raw '<', and there is no <script>, no external URL in src/href.
inline bool CheckHtml(std::string_view html, std::string* error) {
  static const std::vector<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> stack;
  std::size_t i = 0;
  if (html.rfind("<!DOCTYPE html>", 0) != 0) return *error = "no doctype", false;
  i = html.find('>') + 1;
  while (i < html.size()) {
    const std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) break;
    const std::size_t gt = html.find('>', lt);
    if (gt == std::string_view::npos) return *error = "unterminated tag", false;
    std::string_view tag = html.substr(lt + 1, gt - lt - 1);
    if (tag.find('<') != std::string_view::npos) return *error = "raw < in text or tag", false;
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    std::size_t k = closing ? 1 : 0;
    std::string name;
    while (k < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[k])) || tag[k] == '-')) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(tag[k++])));
    }
    if (name.empty()) return *error = "bad tag <" + std::string(tag) + ">", false;
    if (name == "script") return *error = "script element", false;
    for (const char* attr : {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "url("}) {
      if (tag.find(attr) != std::string_view::npos) {
        return *error = "external resource in <" + std::string(tag) + ">", false;
      }
    }
    // Attribute values are double-quoted and hold no raw quote.
    std::size_t quotes = 0;
    for (char c : tag) quotes += c == '"';
    if (quotes % 2) return *error = "unbalanced quotes in <" + std::string(tag) + ">", false;
    if (closing) {
      if (stack.empty() || stack.back() != name) {
        return *error = "</" + name + "> closes <" + (stack.empty() ? "" : stack.back()) + ">",
               false;
      }
      stack.pop_back();
    } else if (!self_closing && std::find(kVoid.begin(), kVoid.end(), name) == kVoid.end()) {
      stack.push_back(name);
    }
    i = gt + 1;
    // Inside <style>, skip to its end (CSS may hold '>').
    if (!closing && name == "style") {
      const std::size_t end = html.find("</style>", i);
      if (end == std::string_view::npos) return *error = "unterminated style", false;
      i = end;
    }
  }
  if (!stack.empty()) return *error = "unclosed <" + stack.back() + ">", false;
  return true;
}

}  // namespace cnake::report::testing
