#include "report/report_sql.h"

#include <fmt/format.h>

#include "util/time_format.h"

namespace cnake::report {

Status ForEachRow(db::Connection& conn, const std::string& sql, const Scope& scope,
                  const std::function<void(const db::DataChunk&, std::size_t)>& row) {
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult result, conn.QueryWith(sql, scope.batch_id));
  while (auto chunk = result.NextChunk()) {
    for (std::size_t r = 0; r < chunk->size(); ++r) row(*chunk, r);
  }
  return Status::Ok();
}

Status CheckBatchExists(db::Connection& conn, const Scope& scope) {
  if (!scope.batch_id) return Status::Ok();
  bool found = false;
  CNAKE_RETURN_IF_ERROR(ForEachRow(conn, "SELECT 1 FROM batch_jobs WHERE id = $1", scope,
                                   [&](const db::DataChunk&, std::size_t) { found = true; }));
  return found ? Status::Ok()
               : NotFound("no batch " + *scope.batch_id + "; `stats` lists the batches");
}

std::string IsoTime(const std::string& expr) {
  return fmt::format("strftime(CAST({} AS TIMESTAMP), '{}')", expr, kIsoUtcStrftime);
}

std::string EntriesTable(const Scope& scope) { return db::QuoteIdentifier(scope.tables.entries); }
std::string ResultsTable(const Scope& scope) { return db::QuoteIdentifier(scope.tables.results); }

}  // namespace cnake::report
