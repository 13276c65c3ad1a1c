// The report kinds and formats, and what a report covers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/types.h"
#include "util/status.h"

namespace cnake::report {

enum class ReportType { kSummary, kDetailed, kErrors };
enum class ReportFormat { kJson, kMarkdown, kHtml, kCsv };

// The version of the JSON documents (docs/schemas/*.schema.json). Grows only
// on incompatible changes; adding a field does not change it.
inline constexpr int kReportSchemaVersion = 1;

// "summary", "detailed", "errors"; kInvalidArgument otherwise.
Result<ReportType> ParseReportType(std::string_view name);
// "json", "md" (or "markdown"), "html", "csv"; kInvalidArgument otherwise.
Result<ReportFormat> ParseReportFormat(std::string_view name);
// The format a file name implies (.json .md .html/.htm .csv), if any.
std::optional<ReportFormat> FormatFromPath(std::string_view path);
const char* ReportTypeName(ReportType type);
const char* ReportFormatName(ReportFormat format);

// What a report covers: the entries one batch claimed, or (no batch_id) the
// entries any batch claimed; never-claimed entries are not part of a batch.
struct Scope {
  TableNames tables;
  std::optional<std::string> batch_id;
};

// SQL condition selecting the scope's rows of a table with a batch_id column
// (alias may be empty). The query must bind the batch id (or NULL) as $1.
std::string ScopeCondition(std::string_view alias);

}  // namespace cnake::report
