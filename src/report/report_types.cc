#include "report/report_types.h"

#include <fmt/format.h>

namespace cnake::report {

Result<ReportType> ParseReportType(std::string_view name) {
  if (name == "summary") return ReportType::kSummary;
  if (name == "detailed") return ReportType::kDetailed;
  if (name == "errors") return ReportType::kErrors;
  return InvalidArgument(
      fmt::format("unknown report type '{}'; use summary, detailed or errors", name));
}

Result<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "json") return ReportFormat::kJson;
  if (name == "md" || name == "markdown") return ReportFormat::kMarkdown;
  if (name == "html") return ReportFormat::kHtml;
  if (name == "csv") return ReportFormat::kCsv;
  return InvalidArgument(
      fmt::format("unknown report format '{}'; use json, md, html or csv", name));
}

std::optional<ReportFormat> FormatFromPath(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view ext = path.substr(dot + 1);
  if (ext == "json") return ReportFormat::kJson;
  if (ext == "md" || ext == "markdown") return ReportFormat::kMarkdown;
  if (ext == "html" || ext == "htm") return ReportFormat::kHtml;
  if (ext == "csv") return ReportFormat::kCsv;
  return std::nullopt;
}

const char* ReportTypeName(ReportType type) {
  switch (type) {
    case ReportType::kSummary:
      return "summary";
    case ReportType::kDetailed:
      return "detailed";
    case ReportType::kErrors:
      return "errors";
  }
  return "?";
}

const char* ReportFormatName(ReportFormat format) {
  switch (format) {
    case ReportFormat::kJson:
      return "json";
    case ReportFormat::kMarkdown:
      return "md";
    case ReportFormat::kHtml:
      return "html";
    case ReportFormat::kCsv:
      return "csv";
  }
  return "?";
}

std::string ScopeCondition(std::string_view alias) {
  const std::string col = alias.empty() ? "batch_id" : fmt::format("{}.batch_id", alias);
  return fmt::format(
      "(CASE WHEN CAST($1 AS VARCHAR) IS NULL THEN {0} IS NOT NULL ELSE {0} = "
      "CAST($1 AS VARCHAR) END)",
      col);
}

}  // namespace cnake::report
