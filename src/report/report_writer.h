// Writes one report (type × format) for a scope to a stream. The entry point
// for the `report` command.
//
// Summary and errors reports are small documents built in memory; the
// detailed report streams in every format (JSON is written as an array
// element by element), so its memory use does not grow with the batch.
//
// On error, partial output may already have been written; callers writing
// to a file write to a temporary and rename on success.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "report/report_types.h"
#include "store/duckdb/duckdb.h"
#include "util/status.h"

namespace cnake::report {

struct ReportRequest {
  Scope scope;
  ReportType type = ReportType::kSummary;
  ReportFormat format = ReportFormat::kJson;
  std::string generated_at;  // ISO 8601, written into the report
  // The scope's token figures (report::TokensJson; the chat protocol's
  // usage), added to the summary as "tokens" when not null.
  nlohmann::json tokens;
};

// Errors: kNotFound (unknown batch), kDatabase, kIoError (the stream failed).
Status WriteReport(db::Connection& conn, const ReportRequest& request, std::ostream& out);

// The current UTC time as ISO 8601 with milliseconds and a Z.
std::string IsoNowUtc();

}  // namespace cnake::report
