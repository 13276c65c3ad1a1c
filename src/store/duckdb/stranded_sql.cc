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
  // One UPDATE over an id list, as a claim does: a 1,000,000-entry adoption
  // staged in a temporary table and joined ran out of the default 64MB
  // memory_limit.
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t moved,
      conn.RunWith(fmt::format("UPDATE {0} SET key_batch_id = coalesce(key_batch_id, batch_id), "
                               "batch_id = ?, updated_at = now() WHERE id IN (SELECT id FROM {0} "
                               "WHERE batch_id IN {1} AND {2} AND {3} ORDER BY id LIMIT ?)",
                               entries, *batches, UnfinishedEntrySql(), EntryFilterSql()),
                   batch_id, f.id_prefix, f.id_prefix, f.tag, f.tag, options.limit));
  // The old batches own fewer entries now: their totals are recounted.
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      fmt::format("UPDATE batch_jobs SET total_entries = (SELECT count(*) FROM {} e WHERE "
                  "e.batch_id = batch_jobs.id), updated_at = now() WHERE id IN {}",
                  entries, *batches)));
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
