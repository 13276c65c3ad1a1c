// The rows a commit adds beside the entry changes: results, failures and the
// request log. Internal to src/store/duckdb; each runs in the caller's
// transaction.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/types.h"

namespace cnake {

// Which of `entry_ids` already have a result row (an earlier run's under the
// entry's python id, or a foreign tool's under its cython_id), which a new
// result must replace.
Result<std::unordered_set<std::string>> EntriesWithResults(db::Connection& conn,
                                                           const TableNames& tables,
                                                           const std::vector<std::string>& ids,
                                                           bool bytewise_ids);
// Deletes the result rows of `entry_ids` (by python id and by cython_id).
Status DeleteResults(db::Connection& conn, const TableNames& tables,
                     const std::vector<std::string_view>& entry_ids, bool bytewise_ids);
// Appends one result row per completion (python id, code, cython_id,
// metadata; generated_at takes its default).
Status AppendResults(db::Connection& conn, const TableNames& tables,
                     const std::vector<Completion>& completions);
Status InsertFailures(db::Connection& conn, const std::string& batch_id,
                      const std::vector<Failure>& failures);
Status AppendRequestLogs(db::Connection& conn, const std::string& batch_id,
                         const std::vector<RequestLog>& requests);
// Moves the batch's counters by the entries a commit made final.
Status MoveBatchCounters(db::Connection& conn, const std::string& batch_id, std::int64_t completed,
                         std::int64_t failed);

}  // namespace cnake
