#include "report/csv_writer.h"

#include "report/text_escape.h"
#include "util/quote.h"

namespace cnake::report {
namespace {

// A decimal number such as -12, +3.5 or -1e-3: a spreadsheet reads it as a
// number, never as a formula, so it stays as it is.
bool IsPlainNumber(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  bool any = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    any = digits() || any;
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// What a spreadsheet would take for a formula (OWASP's list of leading
// characters), unless it is a plain number.
bool LooksLikeFormula(std::string_view raw) {
  if (raw.empty() || std::string_view("=+-@\t\r").find(raw.front()) == std::string_view::npos) {
    return false;
  }
  return !IsPlainNumber(raw);
}

}  // namespace

std::string CsvField(std::string_view raw) {
  std::string field = SanitizeUtf8(raw);
  if (LooksLikeFormula(raw)) field.insert(0, 1, '\'');
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string::npos ||
                            (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) return field;
  return QuoteByDoubling(field, '"');
}

void CsvWriter::WriteField(std::string_view field) { out_ << CsvField(field); }

void CsvWriter::WriteRow(const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out_ << ',';
    WriteField(fields[i]);
  }
  out_ << "\r\n";
}

void CsvWriter::WriteRow(std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out_ << ',';
    first = false;
    WriteField(f);
  }
  out_ << "\r\n";
}

}  // namespace cnake::report
