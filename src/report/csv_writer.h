// RFC 4180 CSV output, one row at a time (nothing is buffered beyond the
// stream's own buffer, so a detailed report of any size streams).
//
// Every row ends with CRLF, as the RFC says. A field is quoted when it holds
// a comma, a quote, CR, LF, or leading/trailing spaces; quotes are doubled.
// Fields are sanitized to valid UTF-8 first (control characters other than
// tab/newline become U+FFFD). Spreadsheet formula injection is neutralised:
// a field starting with = + - @, tab or CR gets a leading single quote
// ('=cmd|...), so a spreadsheet shows it as text instead of running it. Plain
// numbers (-12, +3.5, -1e-3) are not formulas and stay as they are.
//
// Thread safety: none; one writer per stream.
#pragma once

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cnake::report {

class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void WriteRow(const std::vector<std::string>& fields);
  void WriteRow(std::initializer_list<std::string_view> fields);

 private:
  void WriteField(std::string_view field);
  std::ostream& out_;
};

// The field as it appears in a CSV file (quoted when needed).
std::string CsvField(std::string_view field);

}  // namespace cnake::report
