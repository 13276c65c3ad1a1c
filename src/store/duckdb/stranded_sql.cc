#include "store/duckdb/stranded_sql.h"

#include <fmt/format.h>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/entry_changes.h"

namespace cnake {

Result<std::int64_t> AdoptInTransaction(db::Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options) {
  if (options.adopt_from.empty() || options.limit <= 0) return std::int64_t{0};
  std::vector<std::string_view> ids(options.adopt_from.begin(), options.adopt_from.end());
  const auto batches = db::SqlStringList(ids);
  if (!batches) return InvalidArgument("a batch id holds a NUL byte");
  const std::string entries = db::QuoteIdentifier(tables.entries);
  const auto& f = options.filter;
  // The chosen entries with the batch each leaves, to move them and to lower
  // each old batch's total by as many.
  CNAKE_RETURN_IF_ERROR(conn.ExecuteWith(
      fmt::format("CREATE OR REPLACE TEMP TABLE cnake_adopt AS SELECT id, batch_id FROM {} "
                  "WHERE batch_id IN {} AND {} AND {} ORDER BY id LIMIT {}",
                  entries, *batches, UnfinishedEntrySql(), EntryFilterSql(), options.limit),
      f.id_prefix, f.id_prefix, f.tag, f.tag));
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t moved,
      conn.RunWith(fmt::format("UPDATE {0} SET key_batch_id = coalesce({0}.key_batch_id, "
                               "{0}.batch_id), batch_id = ?, updated_at = now() "
                               "FROM temp.cnake_adopt a WHERE {0}.id = a.id",
                               entries),
                   batch_id));
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      "UPDATE batch_jobs SET total_entries = total_entries - a.n, updated_at = now() "
      "FROM (SELECT batch_id, count(*) AS n FROM temp.cnake_adopt GROUP BY batch_id) a "
      "WHERE batch_jobs.id = a.batch_id"));
  CNAKE_RETURN_IF_ERROR(conn.Execute("DROP TABLE temp.cnake_adopt"));
  return moved;
}

Result<std::vector<BatchWork>> UnfinishedWorkSql(db::Connection& conn, const TableNames& tables,
                                                 const EntryFilter& filter) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.QueryWith(
          fmt::format("SELECT {}, w.unfinished, w.with_request_id FROM batch_jobs b JOIN "
                      "(SELECT batch_id, count(*)::BIGINT AS unfinished, "
                      "count(request_id)::BIGINT AS with_request_id FROM {} "
                      "WHERE batch_id IS NOT NULL AND {} AND {} GROUP BY batch_id) w "
                      "ON w.batch_id = b.id ORDER BY b.started_at, b.id",
                      BatchSelectList(), db::QuoteIdentifier(tables.entries), UnfinishedEntrySql(),
                      EntryFilterSql()),
          filter.id_prefix, filter.id_prefix, filter.tag, filter.tag));
  std::vector<BatchWork> out;
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      BatchWork w;
      w.batch = ReadBatchRow(*chunk, row);
      w.unfinished = chunk->GetInt64(10, row);
      w.with_request_id = chunk->GetInt64(11, row);
      out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace cnake
