// The HTML report: one self-contained page (inline CSS and SVG, no scripts,
// no external resources; a Content-Security-Policy forbids them, so even an
// escaping bug cannot run code). All text from the database is escaped.
//
// Thread safety: none; one renderer per stream.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>

#include "report/detailed_report.h"

namespace cnake::report {

// The summary page: key figures, hints, state breakdown, throughput over
// time, latency histogram, attempts, batches and the error patterns.
// `summary` and `errors` are BuildSummary / BuildErrorReport documents.
void RenderSummaryHtml(const nlohmann::ordered_json& summary, const nlohmann::ordered_json& errors,
                       std::ostream& out);

// The errors page: hints, error patterns and failed requests.
void RenderErrorsHtml(const nlohmann::ordered_json& errors, std::ostream& out);

// The detailed page, streamed: Begin, one Row per entry, End.
class DetailHtmlWriter {
 public:
  explicit DetailHtmlWriter(std::ostream& out) : out_(out) {}
  void Begin(std::string_view title, std::string_view generated_at);
  void Row(const DetailRow& row);
  void End();

 private:
  std::ostream& out_;
  std::int64_t rows_ = 0;
};

}  // namespace cnake::report
