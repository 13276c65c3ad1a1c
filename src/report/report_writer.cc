#include "report/report_writer.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

#include "report/csv_writer.h"
#include "report/detailed_report.h"
#include "report/error_report.h"
#include "report/html_renderer.h"
#include "report/markdown_writer.h"
#include "report/summary_report.h"
#include "report/tabular_render.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

std::string Dump(const ordered_json& j, int indent) {
  // Database text may be invalid UTF-8 (a hostile API); never throw on it.
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

Status StreamOk(std::ostream& out) {
  return out ? Status::Ok() : IoError("writing the report failed");
}

// The detailed report as one JSON document: a header, then the entries array
// written element by element.
Status DetailedJson(db::Connection& conn, const ReportRequest& req, std::ostream& out) {
  ordered_json head = {
      {"report_type", "detailed"},
      {"schema_version", kReportSchemaVersion},
      {"generated_at", req.generated_at},
      {"batch_id", req.scope.batch_id ? ordered_json(*req.scope.batch_id) : ordered_json()}};
  std::string text = Dump(head, -1);
  text.pop_back();  // the closing brace: the entries array follows
  out << text << ",\"columns\":" << Dump(DetailColumns(), -1) << ",\"entries\":[";
  std::int64_t n = 0;
  CNAKE_RETURN_IF_ERROR(StreamDetailRows(conn, req.scope, [&](const DetailRow& row) {
    out << (n++ ? ",\n" : "\n") << Dump(DetailJson(row), -1);
    return StreamOk(out);
  }));
  out << "\n],\"entry_count\":" << n << "}\n";
  return StreamOk(out);
}

Status Detailed(db::Connection& conn, const ReportRequest& req, std::ostream& out) {
  switch (req.format) {
    case ReportFormat::kJson:
      return DetailedJson(conn, req, out);
    case ReportFormat::kCsv: {
      CsvWriter csv(out);
      csv.WriteRow(DetailColumns());
      return StreamDetailRows(conn, req.scope, [&](const DetailRow& row) {
        csv.WriteRow(DetailCells(row));
        return StreamOk(out);
      });
    }
    case ReportFormat::kMarkdown: {
      MarkdownWriter md(out);
      md.Heading(1, "cnake-charmer detailed report: " +
                        (req.scope.batch_id ? "batch " + *req.scope.batch_id : "all batches"));
      md.Paragraph("Generated " + req.generated_at + ".");
      md.TableHeader(DetailColumns());
      CNAKE_RETURN_IF_ERROR(StreamDetailRows(conn, req.scope, [&](const DetailRow& row) {
        md.TableRow(DetailCells(row));
        return StreamOk(out);
      }));
      md.EndTable();
      return StreamOk(out);
    }
    case ReportFormat::kHtml: {
      DetailHtmlWriter html(out);
      html.Begin("cnake-charmer detailed report: " +
                     (req.scope.batch_id ? "batch " + *req.scope.batch_id : "all batches"),
                 req.generated_at);
      CNAKE_RETURN_IF_ERROR(StreamDetailRows(conn, req.scope, [&](const DetailRow& row) {
        html.Row(row);
        return StreamOk(out);
      }));
      html.End();
      return StreamOk(out);
    }
  }
  return InvalidArgument("unknown report format");
}

Status Summary(db::Connection& conn, const ReportRequest& req, std::ostream& out) {
  CNAKE_ASSIGN_OR_RETURN(ordered_json summary, BuildSummary(conn, req.scope, req.generated_at));
  if (!req.tokens.is_null()) summary["tokens"] = ordered_json::parse(req.tokens.dump());
  if (req.format == ReportFormat::kJson) {
    out << Dump(summary, 2) << "\n";
    return StreamOk(out);
  }
  if (req.format == ReportFormat::kCsv) {
    RenderSummaryCsv(summary, out);
    return StreamOk(out);
  }
  CNAKE_ASSIGN_OR_RETURN(ordered_json errors, BuildErrorReport(conn, req.scope, req.generated_at));
  if (req.format == ReportFormat::kMarkdown) {
    RenderSummaryMarkdown(summary, errors, out);
  } else {
    RenderSummaryHtml(summary, errors, out);
  }
  return StreamOk(out);
}

Status Errors(db::Connection& conn, const ReportRequest& req, std::ostream& out) {
  CNAKE_ASSIGN_OR_RETURN(ordered_json errors, BuildErrorReport(conn, req.scope, req.generated_at));
  switch (req.format) {
    case ReportFormat::kJson:
      out << Dump(errors, 2) << "\n";
      break;
    case ReportFormat::kCsv:
      RenderErrorsCsv(errors, out);
      break;
    case ReportFormat::kMarkdown:
      RenderErrorsMarkdown(errors, out);
      break;
    case ReportFormat::kHtml:
      RenderErrorsHtml(errors, out);
      break;
  }
  return StreamOk(out);
}

}  // namespace

Status WriteReport(db::Connection& conn, const ReportRequest& request, std::ostream& out) {
  switch (request.type) {
    case ReportType::kSummary:
      return Summary(conn, request, out);
    case ReportType::kDetailed:
      return Detailed(conn, request, out);
    case ReportType::kErrors:
      return Errors(conn, request, out);
  }
  return InvalidArgument("unknown report type");
}

std::string IsoNowUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

}  // namespace cnake::report
