#include "report/report_writer.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

#include "report/performance.h"
#include "report/renderer.h"
#include "util/time_format.h"

namespace cnake::report {
namespace {

Status StreamOk(std::ostream& out) {
  return out ? Status::Ok() : IoError("writing the report failed");
}

// kNotFound when the scope names a batch the store does not have.
Status CheckScope(Queries& queries, const Scope& scope) {
  if (!scope.batch_id) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(std::vector<ReportBatchRow> batches, queries.ReportBatches(scope));
  return batches.empty() ? NoSuchBatch(*scope.batch_id) : Status::Ok();
}

Status Summary(Queries& queries, const ReportRequest& req, Renderer& renderer) {
  CNAKE_ASSIGN_OR_RETURN(SummaryDoc summary,
                         BuildSummary(queries, req.scope, req.generated_at, req.prices));
  std::optional<ErrorsDoc> errors;
  if (renderer.SummaryShowsErrors()) {
    CNAKE_ASSIGN_OR_RETURN(errors, BuildErrorReport(queries, req.scope, req.generated_at));
  }
  renderer.Summary(summary, errors ? &*errors : nullptr);
  return Status::Ok();
}

Status Errors(Queries& queries, const ReportRequest& req, Renderer& renderer) {
  CNAKE_ASSIGN_OR_RETURN(ErrorsDoc errors, BuildErrorReport(queries, req.scope, req.generated_at));
  renderer.Errors(errors);
  return Status::Ok();
}

Status Detailed(Queries& queries, const ReportRequest& req, Renderer& renderer, std::ostream& out) {
  renderer.DetailBegin({req.generated_at, req.scope.batch_id});
  std::int64_t entries = 0;
  CNAKE_RETURN_IF_ERROR(queries.ForEachEntryDetail(req.scope, [&](const DetailRow& row) {
    renderer.DetailEntry(row);
    ++entries;
    return StreamOk(out);
  }));
  renderer.DetailEnd(entries);
  return Status::Ok();
}

}  // namespace

Status WriteReport(Queries& queries, const ReportRequest& request, std::ostream& out) {
  CNAKE_RETURN_IF_ERROR(CheckScope(queries, request.scope));
  std::unique_ptr<Renderer> renderer = MakeRenderer(request.format, out);
  if (!renderer) return InvalidArgument("unknown report format");
  Status st;
  switch (request.type) {
    case ReportType::kSummary:
      st = Summary(queries, request, *renderer);
      break;
    case ReportType::kDetailed:
      st = Detailed(queries, request, *renderer, out);
      break;
    case ReportType::kErrors:
      st = Errors(queries, request, *renderer);
      break;
  }
  CNAKE_RETURN_IF_ERROR(st);
  return StreamOk(out);
}

std::string IsoNowUtc() { return FormatIsoUtc(std::chrono::system_clock::now()); }

}  // namespace cnake::report
