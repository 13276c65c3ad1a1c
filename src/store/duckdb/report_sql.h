// SQL pieces shared by the report reads (report_queries.cc,
// latency_queries.cc). Internal to src/store/duckdb.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/duckdb/duckdb.h"
#include "store/report_rows.h"

namespace cnake::report_sql {

// A condition selecting the scope's rows of a table with a batch_id column
// (`alias` may be empty). The statement binds the batch id (or NULL) as $1.
std::string InScope(std::string_view alias);

// ISO 8601 text (milliseconds, no zone: the TIMESTAMP as stored) from a
// TIMESTAMP expression; NULL when it is NULL. The one time format of the
// report rows.
std::string IsoTime(std::string_view expr);

// A SQL string literal of an entry state's name.
std::string StateLiteral(EntryState state);

// Runs `sql` with $1 bound to the scope's batch id (or NULL), then `args` as
// $2..., and calls `row(chunk, index)` for every row, in order.
template <typename... Args>
Status ForEachRow(db::Connection& conn, const std::string& sql, const ReportScope& scope,
                  const std::function<void(const db::DataChunk&, std::size_t)>& row,
                  const Args&... args) {
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult result, conn.QueryWith(sql, scope.batch_id, args...));
  while (auto chunk = result.NextChunk()) {
    for (std::size_t r = 0; r < chunk->size(); ++r) row(*chunk, r);
  }
  return Status::Ok();
}

inline std::optional<std::string> OptString(const db::DataChunk& c, std::size_t col,
                                            std::size_t row) {
  return c.GetOptString(col, row);
}
inline std::optional<double> OptDouble(const db::DataChunk& c, std::size_t col, std::size_t row) {
  return c.IsNull(col, row) ? std::nullopt : std::optional<double>(c.GetDouble(col, row));
}
inline std::optional<int> OptInt(const db::DataChunk& c, std::size_t col, std::size_t row) {
  return c.IsNull(col, row) ? std::nullopt : std::optional<int>(c.GetInt32(col, row));
}

}  // namespace cnake::report_sql
