// Markdown and CSV renderings of the summary and errors documents (the JSON
// from BuildSummary / BuildErrorReport). Thread safety: none per stream.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

namespace cnake::report {

void RenderSummaryMarkdown(const nlohmann::ordered_json& summary,
                           const nlohmann::ordered_json& errors, std::ostream& out);
void RenderErrorsMarkdown(const nlohmann::ordered_json& errors, std::ostream& out);

// CSV with columns "field,value": the summary flattened, one leaf per row,
// field names joined with '.' (array elements by index), e.g.
// "entries.by_state.completed,40". Nulls are empty values.
void RenderSummaryCsv(const nlohmann::ordered_json& summary, std::ostream& out);
// One row per error pattern: error_type, http_status, pattern, count,
// first_seen, last_seen, example_1, example_2, example_3.
void RenderErrorsCsv(const nlohmann::ordered_json& errors, std::ostream& out);

}  // namespace cnake::report
