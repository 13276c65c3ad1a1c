#include "report/csv_writer.h"

#include "report/text_escape.h"
#include "util/quote.h"

namespace cnake::report {

std::string CsvField(std::string_view raw) {
  const std::string field = SanitizeUtf8(raw);
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
