// The errors report: final failures grouped into patterns, failed requests
// (including those that were retried) grouped by kind, and systemic hints.
// Field names: docs/reports.md, docs/schemas/errors.schema.json.
//
// The failures are read in pages (Queries::ForEachFailure), each message
// normalised (error_normalizer.h) and grouped by (error type, HTTP status,
// pattern) in memory; memory grows with the number of distinct patterns,
// which is capped at kMaxPatterns (further ones are counted under one
// "<other patterns>" group). Reads only. Thread safety: as the Queries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/report_types.h"
#include "store/queries.h"
#include "util/status.h"

namespace cnake::report {

inline constexpr std::size_t kMaxPatterns = 1000;
inline constexpr std::size_t kMaxExamples = 3;
inline constexpr const char* kOtherPatterns = "<other patterns>";

struct ErrorPattern {
  std::string error_type;
  std::optional<int> http_status;
  std::string pattern;
  std::int64_t count = 0;
  std::string first_seen, last_seen;  // ISO 8601
  std::vector<std::string> examples;  // entry ids, at most kMaxExamples, earliest first
};

struct ErrorsDoc {
  ReportHeader header;
  std::int64_t failures = 0;  // final failures in scope
  std::vector<std::string> hints;
  std::vector<ErrorPattern> patterns;
  std::vector<RequestErrorRow> request_errors;
};

// Patterns of the final failures in scope, largest first (ties: by type,
// status, pattern).
Result<std::vector<ErrorPattern>> BuildErrorPatterns(Queries& queries, const Scope& scope);

// The whole errors report. Errors: kNotFound for an unknown batch; the
// store's errors.
Result<ErrorsDoc> BuildErrorReport(Queries& queries, const Scope& scope,
                                   const std::string& generated_at);

// The JSON document (docs/schemas/errors.schema.json).
nlohmann::ordered_json ErrorsJson(const ErrorsDoc& doc);
nlohmann::ordered_json PatternJson(const ErrorPattern& p);

}  // namespace cnake::report
