#include "store/postgres/work_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "store/postgres/pg_batch_sql.h"
#include "store/postgres/pg_schema.h"

namespace cnake::pg {
namespace {

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// How many times a transaction that deadlocked with another runner's runs again.
constexpr int kDeadlockRetries = 5;

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace

Result<std::unique_ptr<WorkSession>> PostgresWorkSession::Open(SessionOptions options,
                                                               Clock& clock) {
  CNAKE_ASSIGN_OR_RETURN(Connection conn, Connection::Open(options.url));
  const TimePoint before = clock.Now();
  CNAKE_RETURN_IF_ERROR(
      RegisterRunner(conn, options.batch_id, options.runner,
                     {Seconds(options.lease_time), Seconds(options.renew_interval)}));
  std::unique_ptr<PostgresWorkSession> s(
      new PostgresWorkSession(std::move(options), clock, std::move(conn)));
  s->lease_valid_until_ = AddSaturating(before, s->options_.lease_time);
  return std::unique_ptr<WorkSession>(std::move(s));
}

PostgresWorkSession::PostgresWorkSession(SessionOptions options, Clock& clock, Connection conn)
    : options_(std::move(options)), clock_(clock), conn_(std::move(conn)) {}

RunnerTiming PostgresWorkSession::Timing() const {
  return {Seconds(options_.lease_time), Seconds(options_.renew_interval)};
}

Status PostgresWorkSession::Reconnect(const Status& cause) {
  Duration backoff = std::chrono::milliseconds(100);
  Status last = cause;
  while (clock_.Now() < lease_valid_until_) {
    auto conn = Connection::Open(options_.url, /*connect_timeout_seconds=*/2);
    if (conn.ok()) {
      conn_ = std::move(conn).value();
      return Status::Ok();
    }
    last = conn.status();
    std::this_thread::sleep_for(backoff);
    backoff = std::min<Duration>(backoff * 2, std::chrono::seconds(2));
  }
  return Status(last.code(), last.message() +
                                 " (gave up: this runner's lease may have lapsed, "
                                 "so other runners may hold its entries now)");
}

template <typename Op>
auto PostgresWorkSession::Retrying(const char* what, Op op) -> decltype(op()) {
  for (int deadlocks = 0;;) {
    auto result = op();
    if (result.ok()) return result;
    if (IsRetryable(conn_.last_sqlstate()) && ++deadlocks <= kDeadlockRetries) continue;
    if (!conn_.broken()) return result;
    if (Status st = Reconnect(StatusOf(result)); !st.ok()) return st.WithContext(what);
  }
}

Result<std::vector<Entry>> PostgresWorkSession::LeasePass(bool with_request_id, std::size_t limit,
                                                         const std::string& as_of) {
  const std::string sql = fmt::format(
      "UPDATE {0} e SET lease_owner = $2 FROM (SELECT x.id FROM {0} x WHERE x.batch_id = $1 "
      "AND {1} AND x.request_id IS {2}NULL AND NOT (x.id = ANY($3::text[])) "
      "AND (x.lease_owner IS NULL OR x.lease_owner = $2 OR NOT EXISTS (SELECT 1 FROM "
      "cnake_runners r WHERE r.id = x.lease_owner AND r.expires_at > $5::timestamptz)) "
      "ORDER BY x.id LIMIT $4 FOR UPDATE OF x SKIP LOCKED) p WHERE e.id = p.id RETURNING {3}",
      QuoteIdentifier(options_.tables.entries), UnfinishedSql("x"), with_request_id ? "NOT " : "",
      EntryColumns("e"));
  const std::vector<std::string> held(handed_out_.begin(), handed_out_.end());
  CNAKE_ASSIGN_OR_RETURN(QueryResult r,
                         conn_.Query(sql, Args(options_.batch_id, options_.runner.id, held,
                                               static_cast<std::int64_t>(limit), as_of)));
  std::vector<Entry> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadEntry(r, i));
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
  return out;
}

Result<std::vector<Entry>> PostgresWorkSession::Lease(std::size_t limit) {
  // Both passes judge other runners' leases at one instant of the server's
  // clock: with now() in each, a lease lapsing between them handed out the
  // entries without a request_id first.
  CNAKE_ASSIGN_OR_RETURN(QueryResult clock, Retrying("leasing entries", [&] {
                           return conn_.Query("SELECT now()::text");
                         }));
  const std::string as_of(clock.Get(0, 0));
  std::vector<Entry> out;
  for (const bool with_request_id : {true, false}) {
    if (out.size() >= limit) break;
    CNAKE_ASSIGN_OR_RETURN(std::vector<Entry> pass, Retrying("leasing entries", [&] {
                             return LeasePass(with_request_id, limit - out.size(), as_of);
                           }));
    for (Entry& e : pass) {
      handed_out_.insert(e.id);
      out.push_back(std::move(e));
    }
  }
  return out;
}

Result<bool> PostgresWorkSession::Drained() {
  const std::vector<std::string> held(handed_out_.begin(), handed_out_.end());
  return Retrying("checking for unfinished entries", [&]() -> Result<bool> {
    CNAKE_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_.Query(fmt::format("SELECT NOT EXISTS (SELECT 1 FROM {} x WHERE x.batch_id = $1 AND "
                                "{} AND (x.lease_owner IS DISTINCT FROM $2 OR NOT (x.id = "
                                "ANY($3::text[]))))",
                                QuoteIdentifier(options_.tables.entries), UnfinishedSql("x")),
                    Args(options_.batch_id, options_.runner.id, held)));
    return r.GetBool(0, 0);
  });
}

Status PostgresWorkSession::CommitOnce(const WriteGroup& group) {
  CNAKE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn_));
  CNAKE_RETURN_IF_ERROR(
      ApplyGroup(conn_, options_.tables, options_.batch_id, options_.runner.id, group));
  CNAKE_RETURN_IF_ERROR(conn_.Execute("UPDATE cnake_runners SET last_commit = $2 WHERE id = $1",
                                      Args(options_.runner.id, commit_seq_)));
  return txn.Commit();
}

Status PostgresWorkSession::Commit(const WriteGroup& group) {
  if (group.empty()) return Status::Ok();
  ++commit_seq_;
  bool lost_connection = false;
  Result<bool> done = Retrying("committing", [&]() -> Result<bool> {
    if (lost_connection) {
      // The connection broke during the last attempt: did its COMMIT arrive?
      CNAKE_ASSIGN_OR_RETURN(QueryResult r,
                             conn_.Query("SELECT coalesce(max(last_commit), 0) FROM cnake_runners "
                                         "WHERE id = $1",
                                         Args(options_.runner.id)));
      if (r.GetInt64(0, 0) >= commit_seq_) return true;
    }
    Status st = CommitOnce(group);
    lost_connection = conn_.broken();
    if (!st.ok()) return st;
    return true;
  });
  if (!done.ok()) return done.status();
  for (const Completion& c : group.completions) handed_out_.erase(c.entry_id);
  for (const Failure& f : group.failures) handed_out_.erase(f.entry_id);
  return Status::Ok();
}

Result<LeaseState> PostgresWorkSession::Renew() {
  const TimePoint before = clock_.Now();
  auto renewal = Retrying("renewing leases", [&]() -> Result<Renewal> {
    CNAKE_ASSIGN_OR_RETURN(Renewal r,
                           RenewRunner(conn_, options_.batch_id, options_.runner.id, Timing()));
    if (r.registered) return r;
    // The row is gone (deleted by hand, or a restore): join again.
    CNAKE_RETURN_IF_ERROR(RegisterRunner(conn_, options_.batch_id, options_.runner, Timing()));
    return RenewRunner(conn_, options_.batch_id, options_.runner.id, Timing());
  });
  if (!renewal.ok()) {
    if (clock_.Now() < lease_valid_until_) return renewal.status();
    // Others may count this runner gone and use its share: send nothing.
    LeaseState lost;
    lost.rate_share = 0;
    return lost;
  }
  lease_valid_until_ = AddSaturating(before, options_.lease_time);
  LeaseState state;
  state.cancelled = renewal->cancelled;
  if (!renewal->admitted) {
    state.rate_share = 0;
  } else if (renewal->live > 1) {
    state.rate_share = 1.0 / static_cast<double>(renewal->live);
  } else {
    state.rate_share = 1.0;
  }
  return state;
}

Status PostgresWorkSession::Release() {
  return Retrying("releasing leases", [&] {
    return RemoveRunner(conn_, options_.tables.entries, options_.batch_id, options_.runner.id);
  });
}

Result<BatchCounts> PostgresWorkSession::Counts() {
  return Retrying("counting entries",
                  [&] { return CountBatch(conn_, options_.tables, options_.batch_id); });
}

}  // namespace cnake::pg
