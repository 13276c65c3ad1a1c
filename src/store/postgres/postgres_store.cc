#include "store/postgres/postgres_store.h"

#include <fmt/format.h>

#include <unordered_set>

#include "store/postgres/pg_batch_sql.h"
#include "store/postgres/pg_queries.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_stranded_sql.h"
#include "store/postgres/runners.h"
#include "store/postgres/work_session.h"
#include "store/table_names.h"

namespace cnake {

using pg::Args;

PostgresStore::PostgresStore(PostgresOptions options, Clock& clock, pg::Connection conn)
    : options_(std::move(options)), clock_(clock), conn_(std::move(conn)) {
  describe_ = conn_.Describe();
  queries_ = std::make_unique<PostgresQueries>(*this, options_.tables);
}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options,
                                                           Clock& clock) {
  CNAKE_RETURN_IF_ERROR(ValidateTableNames(options.tables));
  CNAKE_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(options.url));
  std::unique_ptr<PostgresStore> store(new PostgresStore(options, clock, std::move(conn)));
  if (options.read_only || !options.create_if_missing) {
    CNAKE_ASSIGN_OR_RETURN(bool exists, pg::SchemaExists(store->conn_, options.tables));
    if (!exists) {
      return NotFound(store->describe_ +
                      " has no cnake-charmer tables yet; run `init` or `import` first (or "
                      "check store.url and the table names)");
    }
    if (options.read_only) return store;
  }
  CNAKE_ASSIGN_OR_RETURN(store->migration_, pg::Migrate(store->conn_, options.tables));
  return store;
}

Status PostgresStore::EnsureConnected() {
  if (!conn_.broken()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(options_.url));
  conn_ = std::move(conn);
  return Status::Ok();
}

template <typename Op>
auto PostgresStore::Retried(Op op) -> decltype(op()) {
  CNAKE_RETURN_IF_ERROR(EnsureConnected());
  auto r = op();
  if (r.ok() || !conn_.broken()) return r;
  CNAKE_RETURN_IF_ERROR(EnsureConnected());
  return op();
}

Result<pg::QueryResult> PostgresStore::Read(const std::string& sql, const pg::Params& params) {
  return Retried([&] { return conn_.Query(sql, params); });
}

Queries& PostgresStore::queries() { return *queries_; }

Result<std::int64_t> PostgresStore::ClaimNewBatch(const NewBatch& batch,
                                                  const ClaimOptions& options) {
  CNAKE_RETURN_IF_ERROR(EnsureConnected());
  CNAKE_ASSIGN_OR_RETURN(pg::Transaction txn, pg::Transaction::Begin(conn_));
  CNAKE_RETURN_IF_ERROR(conn_.Execute(
      "INSERT INTO batch_jobs (id, total_entries, status, options, started_at, updated_at) "
      "VALUES ($1, 0, $2, $3::json, $4::timestamptz, $4::timestamptz)",
      Args(batch.id, std::string(BatchStatusName(BatchStatus::kRunning)), batch.options.dump(),
           batch.started_at)));
  CNAKE_ASSIGN_OR_RETURN(std::int64_t adopted,
                         pg::AdoptInTransaction(conn_, options_.tables, batch.id, options));
  ClaimOptions fresh = options;
  fresh.limit = options.limit - adopted;
  CNAKE_ASSIGN_OR_RETURN(std::int64_t claimed,
                         pg::ClaimInTransaction(conn_, options_.tables, batch.id, fresh));
  if (adopted > 0) {
    CNAKE_RETURN_IF_ERROR(
        conn_.Execute("UPDATE batch_jobs SET total_entries = total_entries + $1 WHERE id = $2",
                      Args(adopted, batch.id)));
  }
  // A claim that found nothing leaves no batch: the transaction rolls back.
  if (adopted + claimed == 0) return std::int64_t{0};
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return adopted + claimed;
}

Result<std::vector<BatchWork>> PostgresStore::UnfinishedWork(const EntryFilter& filter) {
  return Retried([&] { return pg::UnfinishedWork(conn_, options_.tables, filter); });
}

Result<ClaimPreview> PostgresStore::PreviewClaim(const ClaimOptions& options) {
  return Retried([&] { return pg::PreviewClaim(conn_, options_.tables, options); });
}

Result<std::optional<BatchRecord>> PostgresStore::GetBatch(const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      Read("SELECT " + pg::BatchColumns() + " FROM batch_jobs WHERE id = $1", Args(batch_id)));
  if (r.rows() == 0) return std::optional<BatchRecord>();
  return std::optional<BatchRecord>(pg::ReadBatch(r, 0));
}

Result<std::optional<nlohmann::json>> PostgresStore::GetBatchOptions(const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      Read("SELECT options::text FROM batch_jobs WHERE id = $1", Args(batch_id)));
  if (r.rows() == 0) return std::optional<nlohmann::json>();
  auto text = r.GetOpt(0, 0);
  return std::optional<nlohmann::json>(text ? nlohmann::json::parse(*text, nullptr, false)
                                            : nlohmann::json::object());
}

Status PostgresStore::UpdateBatch(const std::string& batch_id, const BatchUpdate& u) {
  std::optional<std::string> status;
  if (u.status) status = std::string(BatchStatusName(*u.status));
  const std::string sql =
      "UPDATE batch_jobs SET status = coalesce($1, status), "
      "completed_at = coalesce($2::timestamptz, completed_at), "
      "stop_reason = coalesce($3, stop_reason), "
      "retry_after_wait_seconds = CASE WHEN $5::double precision IS NULL THEN "
      "retry_after_wait_seconds ELSE coalesce(retry_after_wait_seconds, 0) + $5 END, "
      "breaker_open_seconds = CASE WHEN $6::double precision IS NULL THEN "
      "breaker_open_seconds ELSE coalesce(breaker_open_seconds, 0) + $6 END, "
      "request_summary = CASE WHEN $1 = 'completed' THEN coalesce($7, request_summary) "
      "WHEN $1 IS NULL THEN request_summary END, "
      "updated_at = now() WHERE id = $4";
  const pg::Params params =
      Args(status, u.completed_at, u.stop_reason, batch_id, u.add_retry_after_wait_seconds,
           u.add_breaker_open_seconds, u.request_summary);
  // Retried like a read: a connection found broken after a server restart
  // failed before the statement ran. (Should it break mid-statement, the
  // waits could count twice; the status and times are the same either way.)
  CNAKE_ASSIGN_OR_RETURN(std::int64_t n, Retried([&] { return conn_.Run(sql, params); }));
  if (n == 0) return NotFound("no batch with id " + batch_id);
  return Status::Ok();
}

Result<BatchCounts> PostgresStore::CountBatch(const std::string& batch_id) {
  return Retried([&] { return pg::CountBatch(conn_, options_.tables, batch_id); });
}

Result<std::unique_ptr<WorkSession>> PostgresStore::OpenWork(const std::string& batch_id,
                                                             const RunnerInfo& runner) {
  if (options_.read_only) return InvalidArgument("the store was opened read-only");
  pg::SessionOptions s;
  s.url = options_.url;
  s.tables = options_.tables;
  s.batch_id = batch_id;
  s.runner = runner;
  s.lease_time = options_.lease_time;
  s.renew_interval = options_.renew_interval;
  return pg::PostgresWorkSession::Open(std::move(s), clock_);
}

Result<std::vector<RunnerStatus>> PostgresStore::LiveRunners(const std::string& batch_id) {
  return Retried([&] { return pg::LiveRunners(conn_, options_.tables.entries, batch_id); });
}

Result<UpsertCounts> PostgresStore::UpsertEntries(const std::vector<EntryInput>& entries) {
  UpsertCounts counts;
  std::vector<std::string> ids, codes;
  std::vector<std::optional<std::string>> descriptions, tags, metadata;
  std::unordered_set<std::string_view> seen;
  for (const EntryInput& e : entries) {
    if (!seen.insert(e.id).second) continue;  // first occurrence wins
    ids.push_back(e.id);
    codes.push_back(e.code);
    descriptions.push_back(e.description);
    tags.push_back(nlohmann::json(e.tags).dump());
    metadata.push_back(e.metadata ? std::optional<std::string>(e.metadata->dump()) : std::nullopt);
  }
  if (ids.empty()) return counts;
  const std::string table = pg::QuoteIdentifier(options_.tables.entries);
  const std::string staged =
      "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s(id, code, d, t, m)";
  const pg::Params params = Args(ids, codes, descriptions, tags, metadata);
  CNAKE_RETURN_IF_ERROR(EnsureConnected());
  CNAKE_ASSIGN_OR_RETURN(pg::Transaction txn, pg::Transaction::Begin(conn_));
  CNAKE_ASSIGN_OR_RETURN(
      pg::QueryResult cls,
      conn_.Query(fmt::format("SELECT s.id, e.id IS NULL, e.code IS DISTINCT FROM s.code FROM {} "
                              "LEFT JOIN {} e ON e.id = s.id ORDER BY s.id",
                              staged, table),
                  params));
  for (int i = 0; i < cls.rows(); ++i) {
    if (cls.GetBool(i, 1)) {
      ++counts.inserted;
    } else if (cls.GetBool(i, 2)) {
      ++counts.updated;
      if (counts.updated_ids.size() < UpsertCounts::kMaxListedIds) {
        counts.updated_ids.emplace_back(cls.Get(i, 0));
      }
    } else {
      ++counts.unchanged;
    }
  }
  if (counts.updated > 0) {
    CNAKE_RETURN_IF_ERROR(conn_.Execute(
        fmt::format("UPDATE {0} e SET code = s.code, description = s.d, tags = s.t::json, "
                    "metadata = s.m::json, processing_status = 'pending', processed = FALSE, "
                    "python_id = NULL, processed_at = NULL, batch_id = NULL, request_id = NULL, "
                    "key_batch_id = NULL, attempts = 0, last_error = NULL, lease_owner = NULL, "
                    "updated_at = now() "
                    "FROM {1} WHERE e.id = s.id AND e.code IS DISTINCT FROM s.code",
                    table, staged),
        params));
  }
  if (counts.inserted > 0) {
    CNAKE_RETURN_IF_ERROR(conn_.Execute(
        fmt::format("INSERT INTO {0} (id, code, description, tags, metadata) SELECT s.id, s.code, "
                    "s.d, s.t::json, s.m::json FROM {1} ON CONFLICT (id) DO NOTHING",
                    table, staged),
        params));
  }
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return counts;
}

}  // namespace cnake
