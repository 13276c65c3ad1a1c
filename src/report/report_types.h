// The report kinds and formats, what a report covers, and the header every
// report document carries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/report_rows.h"
#include "util/status.h"

namespace cnake::report {

enum class ReportType { kSummary, kDetailed, kErrors };

// The formats; each has one row in the format table (report_formats.cc)
// that names it and makes its Renderer (renderer.h).
enum class ReportFormat { kJson, kMarkdown, kHtml, kCsv };

// The version of the JSON documents (docs/schemas/*.schema.json). Grows only
// on incompatible changes; adding a field does not change it.
inline constexpr int kReportSchemaVersion = 1;

// "summary", "detailed", "errors" (or "error"); kInvalidArgument otherwise.
Result<ReportType> ParseReportType(std::string_view name);
// Every name ParseReportType accepts (for the command line's check).
std::vector<std::string> ReportTypeNames();
const char* ReportTypeName(ReportType type);

// A format by one of its names ("json", "md" or "markdown", "html", "csv");
// kInvalidArgument otherwise.
Result<ReportFormat> ParseReportFormat(std::string_view name);
// Every name ParseReportFormat accepts.
std::vector<std::string> ReportFormatNames();
// The format a file name implies by its extension (.json .md .html/.htm
// .csv), if any.
std::optional<ReportFormat> FormatFromPath(std::string_view path);
const char* ReportFormatName(ReportFormat format);

// What a report covers (store/report_rows.h).
using Scope = ReportScope;

// What every report document starts with.
struct ReportHeader {
  std::string generated_at;  // ISO 8601, written as is
  std::optional<std::string> batch_id;
  // "batch <id>" or "all batches", for titles.
  std::string ScopeText() const;
};

}  // namespace cnake::report
