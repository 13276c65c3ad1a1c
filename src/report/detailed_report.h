// The detailed report: one row per entry in scope, streamed in id order.
// Field names: docs/reports.md, docs/schemas/detailed.schema.json.
//
// The store reads the rows in keyset pages (Queries::ForEachEntryDetail),
// so memory does not grow with the batch: a 200,000-entry batch is never
// held at once. Reads only. Thread safety: as the Queries passed in.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/report_types.h"
#include "store/queries.h"
#include "util/status.h"

namespace cnake::report {

using DetailRow = EntryDetailRow;

// The column names, in order, for tabular formats.
const std::vector<std::string>& DetailColumns();
// The row's values as text in DetailColumns() order ("" for null).
std::vector<std::string> DetailCells(const DetailRow& row);
nlohmann::ordered_json DetailJson(const DetailRow& row);

// Calls `sink` for every entry in scope, by id. Stops at the first error
// (the sink's or the store's). Errors: kNotFound for an unknown batch.
Status StreamDetailRows(Queries& queries, const Scope& scope,
                        const std::function<Status(const DetailRow&)>& sink);

}  // namespace cnake::report
