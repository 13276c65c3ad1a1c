// How a report is written in one format. Each format is one Renderer (one
// file each: json_renderer.cc, markdown_renderer.cc, html_renderer.cc,
// csv_renderer.cc) and one row in the format table (report_formats.cc),
// which gives its names and file extensions; nothing else switches on the
// format. A renderer takes the typed documents (summary_report.h,
// error_report.h) and detailed rows, never the database.
//
// Thread safety: none; one renderer per report and stream.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string_view>
#include <vector>

#include "report/detailed_report.h"
#include "report/error_report.h"
#include "report/report_types.h"
#include "report/summary_report.h"

namespace cnake::report {

class Renderer {
 public:
  virtual ~Renderer() = default;

  // Whether Summary() shows the errors document too (hints, patterns); the
  // writer then builds it.
  virtual bool SummaryShowsErrors() const { return false; }
  // `errors` is null unless SummaryShowsErrors().
  virtual void Summary(const SummaryDoc& summary, const ErrorsDoc* errors) = 0;
  virtual void Errors(const ErrorsDoc& errors) = 0;

  // The detailed report, streamed: DetailBegin, one DetailEntry per entry,
  // DetailEnd with the number of entries.
  virtual void DetailBegin(const ReportHeader& header) = 0;
  virtual void DetailEntry(const DetailRow& row) = 0;
  virtual void DetailEnd(std::int64_t entries) = 0;
};

struct FormatSpec {
  ReportFormat format;
  std::vector<std::string_view> names;       // --format values; the first is canonical
  std::vector<std::string_view> extensions;  // of an --output file, without the dot
  std::unique_ptr<Renderer> (*make)(std::ostream& out);
};

// The format table.
const std::vector<FormatSpec>& ReportFormats();
std::unique_ptr<Renderer> MakeRenderer(ReportFormat format, std::ostream& out);

std::unique_ptr<Renderer> MakeJsonRenderer(std::ostream& out);
std::unique_ptr<Renderer> MakeMarkdownRenderer(std::ostream& out);
std::unique_ptr<Renderer> MakeHtmlRenderer(std::ostream& out);
std::unique_ptr<Renderer> MakeCsvRenderer(std::ostream& out);

// A report title: "cnake-charmer <kind> report: batch b-1" / "...: all batches".
std::string ReportTitle(std::string_view kind, const ReportHeader& header);

}  // namespace cnake::report
