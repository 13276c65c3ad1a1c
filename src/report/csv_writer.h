// RFC 4180 CSV output, one row at a time (nothing is buffered beyond the
// stream's own buffer, so a detailed report of any size streams).
//
// Every row ends with CRLF, as the RFC says. A field is quoted when it holds
// a comma, a quote, CR, LF, or leading/trailing spaces; quotes are doubled.
// Fields are sanitized to valid UTF-8 first (control characters other than
// tab/newline become U+FFFD). Spreadsheet formula injection (cells starting
// with = + - @) is NOT neutralised: the values are data, keep them exact;
// docs/reports.md says to import, not open, untrusted CSV in a spreadsheet.
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
