// GitHub-flavoured Markdown output: headings, paragraphs and tables written
// row by row (a detailed report's table streams).
//
// Cell text is hostile input: it is sanitized to valid UTF-8, newlines become
// spaces, and characters with meaning in a table cell or inline markup
// (| \ ` * _ [ ] < > #) are backslash-escaped or, for < > &, written as
// entities, so a cell can neither break the table nor inject HTML or links.
//
// Thread safety: none; one writer per stream.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cnake::report {

// The text as it appears inside a table cell or a paragraph.
std::string MarkdownEscape(std::string_view text);

class MarkdownWriter {
 public:
  explicit MarkdownWriter(std::ostream& out) : out_(out) {}
  // `level` 1..6; the text is escaped.
  void Heading(int level, std::string_view text);
  // Escaped text, one paragraph.
  void Paragraph(std::string_view text);
  // Starts a table; `right_aligned[i]` aligns column i right (numbers).
  void TableHeader(const std::vector<std::string>& columns,
                   const std::vector<bool>& right_aligned = {});
  // One row; cells are escaped. Missing cells are written empty, extra cells
  // are dropped, so the column count always matches the header.
  void TableRow(const std::vector<std::string>& cells);
  // Ends the table (a blank line).
  void EndTable();

 private:
  std::ostream& out_;
  std::size_t columns_ = 0;
};

}  // namespace cnake::report
