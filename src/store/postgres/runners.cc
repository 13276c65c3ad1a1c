#include "store/postgres/runners.h"

#include <fmt/format.h>

#include "store/postgres/pg_batch_sql.h"
#include "store/postgres/pg_schema.h"

namespace cnake::pg {
namespace {

// Serialises registrations and renewals of one batch (store/postgres/runners.h).
Status LockBatch(Connection& conn, const std::string& batch_id) {
  return conn.Execute("SELECT pg_advisory_xact_lock(hashtextextended('cnake_runners:' || $1, 0))",
                      Args(batch_id));
}

constexpr const char* kLive = "expires_at > now()";

}  // namespace

Status RegisterRunner(Connection& conn, const std::string& batch_id, const RunnerInfo& runner,
                      const RunnerTiming& timing) {
  CNAKE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  CNAKE_RETURN_IF_ERROR(LockBatch(conn, batch_id));
  // A runner re-registering (its row vanished) gets a new join number: the
  // others count it again before it may send.
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO cnake_runners (id, batch_id, host, pid, joined_seq, seen_seq, started_at, "
      "heartbeat_at, expires_at, renew_seconds) SELECT $1, $2, $3, $4, s, s, now(), now(), "
      "now() + $5 * interval '1 second', $6 FROM (SELECT coalesce(max(joined_seq), 0) + 1 AS s "
      "FROM cnake_runners WHERE batch_id = $2) n "
      "ON CONFLICT (id) DO UPDATE SET joined_seq = excluded.joined_seq, seen_seq = "
      "excluded.seen_seq, heartbeat_at = now(), expires_at = excluded.expires_at",
      Args(runner.id, batch_id, runner.host, static_cast<std::int64_t>(runner.pid),
           timing.lease_seconds, timing.renew_seconds)));
  return txn.Commit();
}

Result<Renewal> RenewRunner(Connection& conn, const std::string& batch_id,
                            const std::string& runner_id, const RunnerTiming& timing) {
  CNAKE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  CNAKE_RETURN_IF_ERROR(LockBatch(conn, batch_id));
  Renewal out;
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult mine,
      conn.Query(fmt::format("UPDATE cnake_runners SET heartbeat_at = now(), expires_at = now() + "
                             "$3 * interval '1 second', seen_seq = (SELECT max(joined_seq) FROM "
                             "cnake_runners WHERE batch_id = $2 AND ({} OR id = $1)) "
                             "WHERE id = $1 AND batch_id = $2 RETURNING joined_seq",
                             kLive),
                 Args(runner_id, batch_id, timing.lease_seconds)));
  if (mine.rows() == 0) return out;  // not registered (any more)
  out.registered = true;
  const std::int64_t joined = mine.GetInt64(0, 0);
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult view,
      conn.Query(fmt::format("SELECT count(*), coalesce(bool_and(seen_seq >= $3 OR id = $2), "
                             "true), (SELECT coalesce(status, '') FROM batch_jobs WHERE id = $1) "
                             "FROM cnake_runners WHERE batch_id = $1 AND ({} OR id = $2)",
                             kLive),
                 Args(batch_id, runner_id, joined)));
  out.live = view.GetInt64(0, 0);
  out.admitted = view.GetBool(0, 1);
  out.cancelled = ParseBatchStatus(view.Get(0, 2)) == BatchStatus::kCancelled;
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Status RemoveRunner(Connection& conn, const std::string& entries_table, const std::string& batch_id,
                    const std::string& runner_id) {
  CNAKE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  CNAKE_RETURN_IF_ERROR(
      conn.Execute(fmt::format("UPDATE {} SET lease_owner = NULL WHERE batch_id = $1 AND "
                               "lease_owner = $2",
                               QuoteIdentifier(entries_table)),
                   Args(batch_id, runner_id)));
  CNAKE_RETURN_IF_ERROR(conn.Execute("DELETE FROM cnake_runners WHERE id = $1", Args(runner_id)));
  return txn.Commit();
}

Result<std::vector<RunnerStatus>> LiveRunners(Connection& conn, const std::string& entries_table,
                                              const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query(
          fmt::format(
              "WITH live AS (SELECT * FROM cnake_runners WHERE batch_id = $1 AND {0}), "
              "admitted AS (SELECT l.id, NOT EXISTS (SELECT 1 FROM live o WHERE o.id <> l.id AND "
              "o.seen_seq < l.joined_seq) AS ok FROM live l) "
              "SELECT l.id, coalesce(l.host, ''), coalesce(l.pid, 0), {1}, {2}, "
              "(SELECT count(*) FROM {3} e WHERE e.batch_id = $1 AND e.lease_owner = l.id AND "
              "{4}), a.ok, (SELECT count(*) FROM live) FROM live l JOIN admitted a ON a.id = "
              "l.id ORDER BY l.joined_seq",
              kLive, IsoUtc("l.started_at"), IsoUtc("l.heartbeat_at"),
              QuoteIdentifier(entries_table), UnfinishedSql("e")),
          Args(batch_id)));
  std::vector<RunnerStatus> out;
  for (int i = 0; i < r.rows(); ++i) {
    RunnerStatus s;
    s.runner = {std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), r.GetInt64(i, 2)};
    s.started_at = std::string(r.Get(i, 3));
    s.heartbeat_at = std::string(r.Get(i, 4));
    s.leased = r.GetInt64(i, 5);
    const std::int64_t live = std::max<std::int64_t>(1, r.GetInt64(i, 7));
    s.rate_share = r.GetBool(i, 6) ? 1.0 / static_cast<double>(live) : 0.0;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace cnake::pg
