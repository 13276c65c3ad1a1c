// Writes one report (type × format) for a scope to a stream. The entry point
// for the `report` command.
//
// The scope is checked before anything is written: a batch that does not
// exist leaves the stream untouched (kNotFound). Summary and errors reports
// are small documents built completely before the first byte; the detailed
// report streams in every format (JSON is written as an array element by
// element), so its memory use does not grow with the batch, and a store
// error in the middle of it leaves partial output: callers writing to a
// file write to a temporary and rename on success.
//
// Thread safety: as the Queries passed in.
#pragma once

#include <ostream>
#include <string>

#include "report/report_types.h"
#include "report/token_figures.h"
#include "store/queries.h"
#include "util/status.h"

namespace cnake::report {

struct ReportRequest {
  Scope scope;
  ReportType type = ReportType::kSummary;
  ReportFormat format = ReportFormat::kJson;
  std::string generated_at;  // ISO 8601, written into the report
  // The configured token prices: the cost of a batch that stored none, and
  // of every batch together (summary_report.h).
  TokenPrices prices;
};

// Errors: kNotFound (unknown batch), kIoError (the stream failed), the
// store's errors.
Status WriteReport(Queries& queries, const ReportRequest& request, std::ostream& out);

// The current UTC time as ISO 8601 with milliseconds and a Z.
std::string IsoNowUtc();

}  // namespace cnake::report
