#include "store/duckdb/duckdb_store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <unordered_set>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/journal.h"
#include "store/duckdb/queries.h"
#include "store/duckdb/schema.h"
#include "store/duckdb/stranded_sql.h"
#include "store/duckdb/submission_log.h"
#include "store/duckdb/work_session.h"
#include "store/table_names.h"
#include "util/crash_point.h"
#include "util/time_format.h"

namespace cnake {
namespace {

constexpr const char* kPythonIdPrefix = "py:";  // a SQL literal as it is: no quote in it

// Paths with an open Store in this process: DuckDB's file lock does not stop
// a second handle inside one process, and two handles lose writes.
std::mutex g_open_mu;
std::set<std::string> g_open_paths;

std::string CanonicalKey(const std::string& path) {
  if (path.empty() || path == ":memory:") return "";
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

constexpr const char* kEntryColumns =
    "id, code, description, CAST(metadata AS VARCHAR), CAST(tags AS VARCHAR), "
    "coalesce(processing_status, 'pending'), python_id, batch_id, request_id, "
    "CAST(coalesce(attempts, 0) AS INTEGER), CAST(coalesce(submission_seq, 0) AS INTEGER), "
    "last_error, key_batch_id";

Entry ReadEntry(const db::DataChunk& c, std::size_t row) {
  Entry e;
  e.id = std::string(c.GetString(0, row));
  e.code = std::string(c.GetString(1, row));
  e.description = c.GetOptString(2, row);
  e.metadata_json = c.GetOptString(3, row);
  e.tags_json = c.GetOptString(4, row);
  e.state = ParseEntryState(c.GetString(5, row)).value_or(EntryState::kPending);
  e.python_id = c.GetOptString(6, row);
  e.batch_id = c.GetOptString(7, row);
  e.request_id = c.GetOptString(8, row);
  e.attempts = c.GetInt32(9, row);
  e.submission_seq = c.GetInt32(10, row);
  e.last_error = c.GetOptString(11, row);
  e.key_batch_id = c.GetOptString(12, row);
  return e;
}

}  // namespace

const char* EntrySelectList() { return kEntryColumns; }
Entry ReadEntryRow(const db::DataChunk& chunk, std::size_t row) { return ReadEntry(chunk, row); }

std::string PythonIdFor(const std::string& entry_id) { return kPythonIdPrefix + entry_id; }
std::string PythonIdSql(const std::string& entry_id_column) {
  return fmt::format("('{}' || {})", kPythonIdPrefix, entry_id_column);
}

DuckDbStore::DuckDbStore(StoreOptions options, db::Database db, db::Connection conn)
    : options_(std::move(options)),
      db_(std::move(db)),
      conn_(std::move(conn)),
      runners_(std::make_shared<LocalRunners>()) {
  queries_ = std::make_unique<DuckDbQueries>(conn_, options_.tables);
}

DuckDbStore::~DuckDbStore() {
  queries_.reset();
  conn_ = db::Connection();
  db_ = db::Database();
  if (!registered_path_.empty()) {
    std::lock_guard lock(g_open_mu);
    g_open_paths.erase(registered_path_);
  }
}

Result<std::unique_ptr<DuckDbStore>> DuckDbStore::Open(const StoreOptions& options) {
  CNAKE_RETURN_IF_ERROR(ValidateTableNames(options.tables));
  std::string key = CanonicalKey(options.path);
  if (!key.empty() && !options.create_if_missing) {
    std::error_code ec;
    if (!std::filesystem::exists(options.path, ec)) {
      return NotFound("database " + options.path + " does not exist");
    }
  }
  if (!key.empty()) {
    std::lock_guard lock(g_open_mu);
    if (!g_open_paths.insert(key).second) {
      return Status(StatusCode::kAlreadyExists,
                    "database " + options.path + " is already open in this process");
    }
  }
  auto release = [&] {
    if (key.empty()) return;
    std::lock_guard lock(g_open_mu);
    g_open_paths.erase(key);
  };
  auto db = db::Database::Open(options.path, options.open);
  if (!db.ok()) {
    release();
    return db.status();
  }
  auto conn = db::Connection::Open(*db);
  if (!conn.ok()) {
    release();
    return conn.status();
  }
  std::unique_ptr<DuckDbStore> store(
      new DuckDbStore(options, std::move(db).value(), std::move(conn).value()));
  store->registered_path_ = key;  // from here the destructor releases it
  if (!options.open.read_only) {
    CNAKE_ASSIGN_OR_RETURN(store->migration_, Migrate(store->conn_, options.tables));
    // Whatever a run left unfolded (kill -9) reaches the entries table
    // before anything reads it.
    CNAKE_RETURN_IF_ERROR(ReplayJournal(store->conn_, options.tables));
    if (const std::string log = store->SubmissionLogPath(); !log.empty()) {
      CNAKE_RETURN_IF_ERROR(ReplaySubmissionLog(store->conn_, options.tables, log));
    }
  }
  return store;
}

std::string DuckDbStore::FilePath() const {
  const std::string& path = options_.path;
  return path == ":memory:" ? std::string() : path;
}

std::string DuckDbStore::SubmissionLogPath() const {
  const std::string file = FilePath();
  return file.empty() ? std::string() : SubmissionLog::PathFor(file);
}

std::string DuckDbStore::Entries() const { return db::QuoteIdentifier(options_.tables.entries); }
std::string DuckDbStore::Results() const { return db::QuoteIdentifier(options_.tables.results); }

Queries& DuckDbStore::queries() { return *queries_; }

Status DuckDbStore::SetThreads(int n) {
  return conn_.Execute("SET threads = " + std::to_string(n));
}

Result<std::vector<Entry>> DuckDbStore::GetUnprocessedEntries(std::size_t limit,
                                                              const std::string& after_id,
                                                              const EntryFilter& filter) {
  std::string sql = fmt::format(
      "SELECT {} FROM {} WHERE coalesce(processing_status, 'pending') = 'pending' "
      "AND batch_id IS NULL AND id > ? "
      "AND (? = '' OR starts_with(id, ?)) "
      "AND (? = '' OR list_contains(from_json(tags, '[\"VARCHAR\"]'), ?)) "
      "ORDER BY id LIMIT ?",
      kEntryColumns, Entries());
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult r,
                         conn_.QueryWith(sql, after_id, filter.id_prefix, filter.id_prefix,
                                         filter.tag, filter.tag, static_cast<std::int64_t>(limit)));
  std::vector<Entry> out;
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) out.push_back(ReadEntry(*chunk, row));
  }
  return out;
}

Result<std::optional<Entry>> DuckDbStore::GetEntryById(const std::string& id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn_.QueryWith(fmt::format("SELECT {} FROM {} WHERE id = ?", kEntryColumns, Entries()), id));
  auto chunk = r.NextChunk();
  if (!chunk || chunk->size() == 0) return std::optional<Entry>();
  return std::optional<Entry>(ReadEntry(*chunk, 0));
}

Status DuckDbStore::MarkAsProcessed(const std::string& entry_id, bool success,
                                    const std::optional<std::string>& python_id) {
  CNAKE_ASSIGN_OR_RETURN(
      auto n,
      conn_.RunWith(fmt::format("UPDATE {} SET processed = ?, processing_status = ?, "
                                "python_id = ?, processed_at = now(), updated_at = now(), "
                                "request_id = NULL WHERE id = ?",
                                Entries()),
                    success, EntryStateName(success ? EntryState::kCompleted : EntryState::kFailed),
                    python_id, entry_id));
  if (n == 0) return NotFound("no entry with id " + entry_id);
  return Status::Ok();
}

Result<std::string> DuckDbStore::StorePythonCode(const std::string& entry_id,
                                                 const std::string& python_code,
                                                 const nlohmann::json& metadata) {
  const std::string python_id = PythonIdFor(entry_id);
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn_));
  CNAKE_RETURN_IF_ERROR(conn_.ExecuteWith(
      fmt::format("DELETE FROM {} WHERE cython_id = ? OR id = ?", Results()), entry_id, python_id));
  CNAKE_RETURN_IF_ERROR(
      conn_.ExecuteWith(fmt::format("INSERT INTO {} (id, code, cython_id, metadata) "
                                    "VALUES (?, ?, ?, ?)",
                                    Results()),
                        python_id, python_code, entry_id, metadata.dump()));
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return python_id;
}

Result<std::int64_t> DuckDbStore::ClaimNewBatch(const NewBatch& batch,
                                                const ClaimOptions& options) {
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn_));
  CNAKE_RETURN_IF_ERROR(conn_.ExecuteWith(
      "INSERT INTO batch_jobs (id, total_entries, status, options, started_at, updated_at) "
      "VALUES (?, 0, ?, ?, ?, ?)",
      batch.id, BatchStatusName(BatchStatus::kRunning), batch.options.dump(), batch.started_at,
      batch.started_at));
  CNAKE_ASSIGN_OR_RETURN(std::int64_t adopted,
                         AdoptInTransaction(conn_, options_.tables, batch.id, options));
  ClaimOptions fresh = options;
  fresh.limit = options.limit - adopted;
  CNAKE_ASSIGN_OR_RETURN(std::int64_t claimed,
                         ClaimInTransaction(conn_, options_.tables, batch.id, fresh));
  if (adopted > 0) {
    CNAKE_RETURN_IF_ERROR(conn_.ExecuteWith(
        "UPDATE batch_jobs SET total_entries = total_entries + ? WHERE id = ?", adopted, batch.id));
  }
  // A claim that found nothing leaves no batch: the transaction rolls back.
  if (adopted + claimed == 0) return std::int64_t{0};
  CrashPoint("mid_claim");
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  CrashPoint("after_claim");
  return adopted + claimed;
}

Result<std::vector<BatchWork>> DuckDbStore::UnfinishedWork(const EntryFilter& filter) {
  return UnfinishedWorkSql(conn_, options_.tables, filter);
}

Result<std::vector<RunnerStatus>> DuckDbStore::LiveRunners(const std::string& batch_id) {
  return runners_->Of(batch_id);
}

Result<ClaimPreview> DuckDbStore::PreviewClaim(const ClaimOptions& options) {
  return PreviewClaimSql(conn_, options_.tables, options);
}

Result<std::optional<BatchRecord>> DuckDbStore::GetBatch(const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn_.QueryWith(fmt::format("SELECT {} FROM batch_jobs WHERE id = ?", BatchSelectList()),
                      batch_id));
  auto chunk = r.NextChunk();
  if (!chunk || chunk->size() == 0) return std::optional<BatchRecord>();
  return std::optional<BatchRecord>(ReadBatchRow(*chunk, 0));
}

Result<std::optional<nlohmann::json>> DuckDbStore::GetBatchOptions(const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn_.QueryWith("SELECT CAST(options AS VARCHAR) FROM batch_jobs WHERE id = ?", batch_id));
  auto chunk = r.NextChunk();
  if (!chunk || chunk->size() == 0) return std::optional<nlohmann::json>();
  auto text = chunk->GetOptString(0, 0);
  return std::optional<nlohmann::json>(text ? nlohmann::json::parse(*text, nullptr, false)
                                            : nlohmann::json::object());
}

Status DuckDbStore::UpdateBatch(const std::string& batch_id, const BatchUpdate& u) {
  std::optional<std::string> status;
  if (u.status) status = std::string(BatchStatusName(*u.status));
  CNAKE_ASSIGN_OR_RETURN(
      auto n,
      conn_.RunWith("UPDATE batch_jobs SET status = coalesce($1, status), "
                    "completed_at = coalesce($2, completed_at), "
                    "stop_reason = coalesce($3, stop_reason), "
                    "retry_after_wait_seconds = CASE WHEN $5::DOUBLE IS NULL THEN "
                    "retry_after_wait_seconds ELSE coalesce(retry_after_wait_seconds, 0) + $5 END, "
                    "breaker_open_seconds = CASE WHEN $6::DOUBLE IS NULL THEN "
                    "breaker_open_seconds ELSE coalesce(breaker_open_seconds, 0) + $6 END, "
                    "request_summary = CASE WHEN $1 = 'completed' THEN coalesce($7, "
                    "request_summary) WHEN $1 IS NULL THEN request_summary END, "
                    "updated_at = now() WHERE id = $4",
                    status, u.completed_at, u.stop_reason, batch_id, u.add_retry_after_wait_seconds,
                    u.add_breaker_open_seconds, u.request_summary));
  if (n == 0) return NotFound("no batch with id " + batch_id);
  return Status::Ok();
}

Result<BatchCounts> DuckDbStore::CountBatch(const std::string& batch_id) {
  return CountBatchSql(conn_, options_.tables, batch_id);
}

Result<std::unique_ptr<WorkSession>> DuckDbStore::OpenWork(const std::string& batch_id,
                                                           const RunnerInfo& runner) {
  CNAKE_ASSIGN_OR_RETURN(db::Connection conn, db::Connection::Open(db_));
  return DuckDbWorkSession::Open(
      std::move(conn), options_.tables, batch_id,
      runners_->Add(batch_id, runner, FormatIsoUtc(std::chrono::system_clock::now())), FilePath());
}
Result<UpsertCounts> DuckDbStore::UpsertEntries(const std::vector<EntryInput>& entries) {
  UpsertCounts counts;
  if (entries.empty()) return counts;
  // Replaced, not emptied: temporary tables are never checkpointed, so the
  // rows a DELETE removed stay in memory, and an import of 100,000 sample
  // entries (chunks of 1,000) ran out of the default memory_limit (64MB).
  CNAKE_RETURN_IF_ERROR(
      conn_.Execute("CREATE OR REPLACE TEMP TABLE cnake_import_stage (id VARCHAR, code VARCHAR, "
                    "description VARCHAR, tags VARCHAR, metadata VARCHAR)"));
  {
    CNAKE_ASSIGN_OR_RETURN(db::Appender app,
                           db::Appender::Create(conn_, "cnake_import_stage", "main", "temp"));
    std::unordered_set<std::string_view> seen;
    for (const EntryInput& e : entries) {
      if (!seen.insert(e.id).second) continue;  // first occurrence wins
      CNAKE_RETURN_IF_ERROR(app.Append(e.id));
      CNAKE_RETURN_IF_ERROR(app.Append(e.code));
      CNAKE_RETURN_IF_ERROR(app.Append(e.description));
      CNAKE_RETURN_IF_ERROR(app.Append(nlohmann::json(e.tags).dump()));
      std::optional<std::string> meta;
      if (e.metadata) meta = e.metadata->dump();
      CNAKE_RETURN_IF_ERROR(app.Append(meta));
      CNAKE_RETURN_IF_ERROR(app.EndRow());
    }
    CNAKE_RETURN_IF_ERROR(app.Close());
  }
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn_));
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult cls,
      conn_.Query(
          fmt::format("SELECT s.id, e.id IS NULL, e.code IS DISTINCT FROM s.code "
                      "FROM cnake_import_stage s LEFT JOIN {} e ON e.id = s.id ORDER BY s.id",
                      Entries())));
  while (auto chunk = cls.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      if (chunk->GetBool(1, row)) {
        ++counts.inserted;
      } else if (chunk->GetBool(2, row)) {
        ++counts.updated;
        if (counts.updated_ids.size() < UpsertCounts::kMaxListedIds) {
          counts.updated_ids.emplace_back(chunk->GetString(0, row));
        }
      } else {
        ++counts.unchanged;
      }
    }
  }
  if (counts.updated > 0) {
    CNAKE_RETURN_IF_ERROR(conn_.Execute(fmt::format(
        "UPDATE {0} SET code = s.code, description = s.description, tags = s.tags, "
        "metadata = s.metadata, processing_status = 'pending', processed = FALSE, "
        "python_id = NULL, processed_at = NULL, batch_id = NULL, request_id = NULL, "
        "key_batch_id = NULL, "
        "attempts = 0, last_error = NULL, updated_at = now() "
        "FROM cnake_import_stage s WHERE {0}.id = s.id AND {0}.code IS DISTINCT FROM s.code",
        Entries())));
  }
  if (counts.inserted > 0) {
    CNAKE_RETURN_IF_ERROR(conn_.Execute(fmt::format(
        "INSERT INTO {0} (id, code, description, tags, metadata) "
        "SELECT s.id, s.code, s.description, s.tags, s.metadata FROM cnake_import_stage s "
        "WHERE NOT EXISTS (SELECT 1 FROM {0} e WHERE e.id = s.id)",
        Entries())));
  }
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return counts;
}

}  // namespace cnake
