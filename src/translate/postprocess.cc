#include "translate/postprocess.h"

#include "translate/lexer.h"

namespace cnake::translate {
namespace {

std::vector<std::string> PhysicalLines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      if (start < text.size()) out.emplace_back(text.substr(start));
      break;
    }
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

bool IsDocstring(const LogicalLine& ll) {
  const std::vector<Token> toks = Tokenize(ll.body);
  if (toks.empty()) return false;
  for (const Token& t : toks) {
    if (t.kind != TokenKind::kString && t.kind != TokenKind::kComment) return false;
  }
  return toks[0].kind == TokenKind::kString;
}

bool IsFutureImport(const LogicalLine& ll) {
  return ll.body.rfind("from __future__ import", 0) == 0;
}

}  // namespace

std::string FillEmptyBlocks(std::string_view python) {
  const std::vector<LogicalLine> lines = SplitLogicalLines(python);
  std::vector<std::string> physical = PhysicalLines(python);
  // Insertions as (after physical line index, text), applied back to front.
  std::vector<std::pair<int, std::string>> inserts;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].IsBlankOrComment() || !lines[i].OpensBlock()) continue;
    const int header = lines[i].Width();
    size_t j = i + 1;
    int after = lines[i].last_line;  // 1-based
    int comment_width = -1;
    while (j < lines.size() && lines[j].IsBlankOrComment()) {
      if (!lines[j].body.empty() && lines[j].Width() > header) {
        after = lines[j].last_line;
        if (comment_width < 0) comment_width = lines[j].Width();
      }
      ++j;
    }
    if (j < lines.size() && lines[j].Width() > header) continue;
    const int width = comment_width > header ? comment_width : header + 4;
    inserts.emplace_back(after, std::string(width, ' ') + "pass");
  }
  for (auto it = inserts.rbegin(); it != inserts.rend(); ++it) {
    physical.insert(physical.begin() + it->first, it->second);
  }
  return JoinLines(physical);
}

std::string CollapseBlankLines(std::string_view python) {
  const std::vector<LogicalLine> lines = SplitLogicalLines(python);
  std::vector<std::string> physical = PhysicalLines(python);
  std::vector<bool> drop(physical.size(), false);
  int run = 0;
  for (const LogicalLine& ll : lines) {
    const bool blank = ll.body.empty() && ll.first_line == ll.last_line;
    run = blank ? run + 1 : 0;
    if (run > 2 && static_cast<size_t>(ll.first_line) <= physical.size())
      drop[ll.first_line - 1] = true;
  }
  std::vector<std::string> kept;
  for (size_t i = 0; i < physical.size(); ++i) {
    if (!drop[i]) kept.push_back(physical[i]);
  }
  return JoinLines(kept);
}

std::string InsertImports(std::string_view python, const std::vector<std::string>& imports) {
  if (imports.empty()) return std::string(python);
  const std::vector<LogicalLine> lines = SplitLogicalLines(python);
  std::vector<std::string> physical = PhysicalLines(python);
  int after_doc = 0;  // number of physical lines before the insertion point
  size_t i = 0;
  while (i < lines.size() && lines[i].IsBlankOrComment()) ++i;
  if (i < lines.size() && IsDocstring(lines[i]) && lines[i].indent.empty()) {
    after_doc = lines[i].last_line;
    ++i;
  }
  int after_future = after_doc;
  for (; i < lines.size(); ++i) {
    if (lines[i].IsBlankOrComment()) continue;
    if (!IsFutureImport(lines[i])) break;
    after_future = lines[i].last_line;
  }
  std::vector<std::string> future, rest;
  for (const std::string& imp : imports) {
    (imp.rfind("from __future__", 0) == 0 ? future : rest).push_back(imp);
  }
  auto block = [&](const std::vector<std::string>& imps, int at) {
    std::vector<std::string> b;
    if (imps.empty()) return b;
    if (at > 0) b.push_back("");
    b.insert(b.end(), imps.begin(), imps.end());
    if (static_cast<size_t>(at) < physical.size() && !physical[at].empty()) b.push_back("");
    return b;
  };
  if (after_future == after_doc) {
    std::vector<std::string> all = future;
    if (!future.empty() && !rest.empty()) all.push_back("");
    all.insert(all.end(), rest.begin(), rest.end());
    const std::vector<std::string> b = block(all, after_doc);
    physical.insert(physical.begin() + after_doc, b.begin(), b.end());
  } else {
    const std::vector<std::string> r = block(rest, after_future);
    physical.insert(physical.begin() + after_future, r.begin(), r.end());
    const std::vector<std::string> f = block(future, after_doc);
    physical.insert(physical.begin() + after_doc, f.begin(), f.end());
  }
  return JoinLines(physical);
}

std::string DedentContinuations(std::string_view statement, int columns) {
  if (columns <= 0 || statement.find('\n') == std::string_view::npos) return std::string(statement);
  const std::vector<LogicalLine> lines = SplitLogicalLines(statement);
  const std::vector<bool>& in_string =
      lines.empty() ? std::vector<bool>{} : lines[0].continuation_in_string;
  std::vector<std::string> physical = PhysicalLines(statement);
  for (size_t k = 1; k < physical.size(); ++k) {
    if (k - 1 < in_string.size() && in_string[k - 1]) continue;
    std::string& l = physical[k];
    int remove = 0;
    while (remove < columns && remove < static_cast<int>(l.size()) && l[remove] == ' ') ++remove;
    l.erase(0, remove);
  }
  std::string out;
  for (size_t k = 0; k < physical.size(); ++k) out += (k ? "\n" : "") + physical[k];
  return out;
}

}  // namespace cnake::translate
