// The format table: the one place that lists the report formats.
#include <fmt/format.h>

#include "report/renderer.h"

namespace cnake::report {

const std::vector<FormatSpec>& ReportFormats() {
  static const std::vector<FormatSpec> kFormats = {
      {ReportFormat::kJson, {"json"}, {"json"}, MakeJsonRenderer},
      {ReportFormat::kMarkdown, {"md", "markdown"}, {"md", "markdown"}, MakeMarkdownRenderer},
      {ReportFormat::kHtml, {"html"}, {"html", "htm"}, MakeHtmlRenderer},
      {ReportFormat::kCsv, {"csv"}, {"csv"}, MakeCsvRenderer},
  };
  return kFormats;
}

std::unique_ptr<Renderer> MakeRenderer(ReportFormat format, std::ostream& out) {
  for (const FormatSpec& f : ReportFormats()) {
    if (f.format == format) return f.make(out);
  }
  return nullptr;
}

Result<ReportFormat> ParseReportFormat(std::string_view name) {
  for (const FormatSpec& f : ReportFormats()) {
    for (std::string_view n : f.names) {
      if (n == name) return f.format;
    }
  }
  std::string known;
  for (const FormatSpec& f : ReportFormats()) {
    known += (known.empty() ? "" : ", ") + std::string(f.names.front());
  }
  return InvalidArgument(fmt::format("unknown report format '{}'; use {}", name, known));
}

std::vector<std::string> ReportFormatNames() {
  std::vector<std::string> names;
  for (const FormatSpec& f : ReportFormats())
    names.insert(names.end(), f.names.begin(), f.names.end());
  return names;
}

std::optional<ReportFormat> FormatFromPath(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view ext = path.substr(dot + 1);
  for (const FormatSpec& f : ReportFormats()) {
    for (std::string_view e : f.extensions) {
      if (e == ext) return f.format;
    }
  }
  return std::nullopt;
}

const char* ReportFormatName(ReportFormat format) {
  for (const FormatSpec& f : ReportFormats()) {
    if (f.format == format) return f.names.front().data();
  }
  return "?";
}

std::string ReportTitle(std::string_view kind, const ReportHeader& header) {
  return fmt::format("cnake-charmer {} report: {}", kind, header.ScopeText());
}

}  // namespace cnake::report
