#include "report/markdown_writer.h"

#include <algorithm>

#include "report/text_escape.h"

namespace cnake::report {

std::string MarkdownEscape(std::string_view raw) {
  const std::string text = SanitizeUtf8(raw);
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '|':
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '#':
      case '~':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

void MarkdownWriter::Heading(int level, std::string_view text) {
  level = std::clamp(level, 1, 6);
  out_ << std::string(level, '#') << ' ' << MarkdownEscape(text) << "\n\n";
}

void MarkdownWriter::Paragraph(std::string_view text) { out_ << MarkdownEscape(text) << "\n\n"; }

void MarkdownWriter::TableHeader(const std::vector<std::string>& columns,
                                 const std::vector<bool>& right_aligned) {
  columns_ = columns.size();
  out_ << '|';
  for (const auto& c : columns) out_ << ' ' << MarkdownEscape(c) << " |";
  out_ << "\n|";
  for (std::size_t i = 0; i < columns_; ++i) {
    const bool right = i < right_aligned.size() && right_aligned[i];
    out_ << (right ? " ---: |" : " --- |");
  }
  out_ << '\n';
}

void MarkdownWriter::TableRow(const std::vector<std::string>& cells) {
  out_ << '|';
  for (std::size_t i = 0; i < columns_; ++i) {
    out_ << ' ' << (i < cells.size() ? MarkdownEscape(cells[i]) : std::string()) << " |";
  }
  out_ << '\n';
}

void MarkdownWriter::EndTable() {
  out_ << '\n';
  columns_ = 0;
}

}  // namespace cnake::report
