#include "store/postgres/pg_stranded_sql.h"

#include <fmt/format.h>

#include "store/postgres/pg_batch_sql.h"

namespace cnake::pg {
namespace {

// The entry (alias `a`) matches the filter: $1 id prefix, $2 tag.
std::string FilterSql(const std::string& a) {
  return fmt::format(
      "($1::text = '' OR starts_with({0}.id, $1::text)) "
      "AND ($2::text = '' OR coalesce({0}.tags::jsonb ? $2::text, false))",
      a);
}

}  // namespace

Result<std::int64_t> AdoptInTransaction(Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options) {
  if (options.adopt_from.empty() || options.limit <= 0) return std::int64_t{0};
  const std::string entries = QuoteIdentifier(tables.entries);
  const auto& f = options.filter;
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t moved,
      conn.Run(
          fmt::format("UPDATE {0} e SET key_batch_id = coalesce(e.key_batch_id, e.batch_id), "
                      "batch_id = $3, lease_owner = NULL, updated_at = now() FROM (SELECT x.id "
                      "FROM {0} x WHERE x.batch_id = ANY($4::text[]) AND {1} AND {2} AND "
                      "(x.lease_owner IS NULL OR NOT EXISTS (SELECT 1 FROM cnake_runners r WHERE "
                      "r.id = x.lease_owner AND r.expires_at > now())) ORDER BY x.id LIMIT $5 "
                      "FOR UPDATE OF x SKIP LOCKED) p WHERE e.id = p.id",
                      entries, UnfinishedSql("x"), FilterSql("x")),
          Args(f.id_prefix, f.tag, batch_id, options.adopt_from, options.limit)));
  // The old batches own fewer entries now: their totals are recounted.
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      fmt::format("UPDATE batch_jobs b SET total_entries = (SELECT count(*) FROM {} e WHERE "
                  "e.batch_id = b.id), updated_at = now() WHERE b.id = ANY($1::text[])",
                  entries),
      Args(options.adopt_from)));
  return moved;
}

Result<std::vector<BatchWork>> UnfinishedWork(Connection& conn, const TableNames& tables,
                                              const EntryFilter& filter) {
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query(fmt::format("SELECT {}, w.unfinished, w.with_request_id FROM batch_jobs b JOIN "
                             "(SELECT x.batch_id, count(*) AS unfinished, count(x.request_id) AS "
                             "with_request_id FROM {} x WHERE x.batch_id IS NOT NULL AND {} AND "
                             "{} GROUP BY x.batch_id) w ON w.batch_id = b.id "
                             "ORDER BY b.started_at, b.id",
                             BatchColumns("b"), QuoteIdentifier(tables.entries), UnfinishedSql("x"),
                             FilterSql("x")),
                 Args(filter.id_prefix, filter.tag)));
  std::vector<BatchWork> out;
  for (int i = 0; i < r.rows(); ++i) {
    BatchWork w;
    w.batch = ReadBatch(r, i);
    w.unfinished = r.GetInt64(i, kBatchColumnCount);
    w.with_request_id = r.GetInt64(i, kBatchColumnCount + 1);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace cnake::pg
