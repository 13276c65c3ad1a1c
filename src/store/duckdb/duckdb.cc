#include "store/duckdb/duckdb.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <regex>

#include "util/quote.h"

// DuckDB's bundled jemalloc keeps the pages a query frees for a second in each
// of its arenas (one per core), and then returns them lazily (MADV_FREE, still
// counted in RSS). A long `process` frees and reallocates blocks at every
// commit and checkpoint, so those pages were 20-30 MB of the client's peak RSS
// and most of its swings (docs/reliability.md, promise 6). One arena, 100 ms
// before freed pages go back and no lazy stage: on 200,000 entries (sync,
// zero delay, 16 in flight) peak RSS 147 -> 128 MB for +0.005 ms of system CPU
// per entry (no decay at all gave 116 MB for +0.025 ms; one arena alone
// 136 MB; the decays alone nothing). jemalloc reads this symbol last, after
// its DUCKDB_JE_MALLOC_CONF environment variable, at its first allocation,
// which comes before main(): setting that variable from the program would be
// too late. A libduckdb built without jemalloc never reads it.
extern "C" {
__attribute__((visibility("default"))) const char* duckdb_je_malloc_conf_2_conf_harder =
    "narenas:1,dirty_decay_ms:100,muzzy_decay_ms:0";
}

namespace cnake::db {
namespace {

// DuckDB reports errors as "<Type> Error: <message>"; the type is kept.
Status DuckError(const char* message, const char* what) {
  return ClassifyDuckDbError(message ? message : "unknown DuckDB error", what);
}

// DuckError, also kept in `fault` when it is a failed write.
Status NoteError(WriteFault* fault, const char* message, const char* what) {
  Status st = DuckError(message, what);
  if (fault && message) fault->Note(message, st);
  return st;
}

// ThreadSanitizer cannot see the synchronisation inside the prebuilt,
// uninstrumented libduckdb.so. When DuckDB hands a query's work to its own
// worker thread, both threads touch DuckDB's strings through libstdc++'s
// out-of-line members (memcpy/memcmp interceptors called from libstdc++, not
// from libduckdb.so, so cmake/tsan_defaults.cc's called_from_lib does not
// apply), and TSan reports each handoff as a race between DuckDB's threads.
// Under TSan DuckDB therefore runs every query on the thread that calls it:
// DuckDB's state then crosses threads only through our own locks (the store
// worker's queue), which TSan does check.
int EffectiveThreads(int requested) {
#if defined(__SANITIZE_THREAD__)
  (void)requested;
  return 1;
#else
  return requested;
#endif
}

duckdb_timestamp ToDuckTimestamp(SystemTimePoint t) {
  return {std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count()};
}

}  // namespace

Status ClassifyDuckDbError(std::string_view message, std::string_view what) {
  std::string msg(message);
  if (ParseLockConflict(msg)) return Status(StatusCode::kLocked, msg);
  std::string full = std::string(what) + ": " + msg;
  auto has = [&](const char* text) { return msg.find(text) != std::string::npos; };
  if (has("Out of Memory Error")) return Status(StatusCode::kOutOfMemory, std::move(full));
  if (has("No space left on device")) return Status(StatusCode::kDiskFull, std::move(full));
  if (has("Read-only file system") || has("read-only mode") || has("Permission denied")) {
    return Status(StatusCode::kReadOnly, std::move(full));
  }
  return DatabaseError(std::move(full));
}

std::optional<LockHolder> ParseLockConflict(std::string_view message) {
  static const std::regex kLock(R"(Conflicting lock is held in (.*) \(PID (\d+)\))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(message.begin(), message.end(), m, kLock)) return std::nullopt;
  LockHolder holder;
  holder.program = m[1].str();
  std::string pid = m[2].str();
  std::from_chars(pid.data(), pid.data() + pid.size(), holder.pid);
  return holder;
}

std::string LibraryVersion() {
  const char* v = duckdb_library_version();
  return v ? v : "unknown";
}

// ---- Database ----

Result<Database> Database::Open(const std::string& path, const OpenOptions& options) {
  const bool in_memory = path.empty() || path == ":memory:";
  const bool attach = !in_memory && options.row_group_size > 0;
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) return DatabaseError("cannot create config");
  auto set = [&](const char* key, const std::string& value) {
    return value.empty() || duckdb_set_config(config, key, value.c_str()) == DuckDBSuccess;
  };
  // An attached file takes READ_ONLY in its ATTACH; the in-memory instance
  // cannot be read-only. Spill files go beside the database either way.
  const int threads = EffectiveThreads(options.threads);
  bool ok = set("access_mode", options.read_only && !attach ? "READ_ONLY" : "AUTOMATIC") &&
            set("memory_limit", options.memory_limit) &&
            set("threads", threads > 0 ? std::to_string(threads) : "") &&
            set("checkpoint_threshold", options.checkpoint_threshold) &&
            set("temp_directory", attach ? path + ".tmp" : "");
  if (!ok) {
    duckdb_destroy_config(&config);
    return InvalidArgument("invalid DuckDB open option");
  }
  Database db;
  char* error = nullptr;
  const char* c_path = (in_memory || attach) ? nullptr : path.c_str();
  duckdb_state state = duckdb_open_ext(c_path, &db.handle_, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    Status st = DuckError(error, ("cannot open database " + path).c_str());
    if (error) duckdb_free(error);
    db.handle_ = nullptr;  // duckdb_open_ext leaves nothing to close on failure
    return st;
  }
  if (attach) CNAKE_RETURN_IF_ERROR(db.Attach(path, options));
  CNAKE_RETURN_IF_ERROR(db.UseUtc());
  return db;
}

Status Database::UseUtc() {
  // With ICU (built into libduckdb), now() and CURRENT_TIMESTAMP become a
  // TIMESTAMP in the session's TimeZone, which defaults to the process's TZ:
  // under TZ=America/New_York a batch started at 13:43 UTC was stored as
  // 08:43. Every stored time is UTC. The setting cannot be given at open
  // (ICU's options exist only once the instance is up); GLOBAL makes it
  // every connection's default. Without ICU there is no TimeZone, and
  // DuckDB's own casts already use UTC.
  CNAKE_ASSIGN_OR_RETURN(Connection conn, Connection::Open(*this));
  duckdb_result result;
  const duckdb_state state = duckdb_query(conn.get(), "SET GLOBAL TimeZone = 'UTC'", &result);
  const std::string error =
      state == DuckDBError && duckdb_result_error(&result) ? duckdb_result_error(&result) : "";
  duckdb_destroy_result(&result);
  if (state == DuckDBError && error.find("icu") == std::string::npos) {
    return ClassifyDuckDbError(error, "cannot set the database's time zone to UTC");
  }
  return Status::Ok();
}

Status Database::Attach(const std::string& path, const OpenOptions& options) {
  const auto literal = SqlStringLiteral(path);
  if (!literal) return InvalidArgument("database path contains a NUL byte");
  // TYPE duckdb: never let DuckDB guess another format (and autoload an
  // extension) from the file's header.
  const std::string sql =
      fmt::format("ATTACH {} AS cnake_db (TYPE duckdb, ROW_GROUP_SIZE {}{})", *literal,
                  options.row_group_size, options.read_only ? ", READ_ONLY" : "");
  // catalog_ is still empty, so this connection does not USE anything yet.
  CNAKE_ASSIGN_OR_RETURN(Connection conn, Connection::Open(*this));
  // Queried directly (not Connection::Query) to keep the "cannot open
  // database" wording of a failed open.
  duckdb_result result;
  const duckdb_state state = duckdb_query(conn.get(), sql.c_str(), &result);
  Status st = state == DuckDBError ? DuckError(duckdb_result_error(&result),
                                               ("cannot open database " + path).c_str())
                                   : Status::Ok();
  duckdb_destroy_result(&result);
  if (st.ok()) catalog_ = "cnake_db";
  return st;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (handle_) duckdb_close(&handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    catalog_ = std::move(other.catalog_);
    fault_ = std::move(other.fault_);
  }
  return *this;
}

Database::~Database() {
  if (handle_) duckdb_close(&handle_);
}

// ---- Connection ----

Result<Connection> Connection::Open(const Database& db) {
  Connection conn;
  conn.fault_ = db.fault();
  if (duckdb_connect(db.get(), &conn.handle_) == DuckDBError) {
    conn.handle_ = nullptr;
    return DatabaseError("cannot connect to database");
  }
  if (!db.catalog().empty())
    CNAKE_RETURN_IF_ERROR(conn.Execute("USE " + QuoteIdentifier(db.catalog())));
  return conn;
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (handle_) duckdb_disconnect(&handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    fault_ = std::move(other.fault_);
  }
  return *this;
}

Connection::~Connection() {
  if (handle_) duckdb_disconnect(&handle_);
}

Result<QueryResult> Connection::Query(const std::string& sql) {
  // A rollback writes nothing, and lets the connection end its transaction.
  if (fault_ && sql != "ROLLBACK") CNAKE_RETURN_IF_ERROR(fault_->Check());
  QueryResult result;
  duckdb_state state = duckdb_query(handle_, sql.c_str(), result.raw());
  result.MarkValid();  // must be destroyed even on failure
  if (state == DuckDBError) {
    return NoteError(fault_.get(), duckdb_result_error(result.raw()), "query failed");
  }
  return result;
}

Status Connection::Execute(const std::string& sql) {
  auto r = Query(sql);
  return r.ok() ? Status::Ok() : r.status();
}

bool Connection::HasTable(const std::string& table) const {
  duckdb_table_description description = nullptr;
  const bool found = duckdb_table_description_create_ext(handle_, nullptr, "main", table.c_str(),
                                                         &description) == DuckDBSuccess;
  duckdb_table_description_destroy(&description);  // required even on failure
  return found;
}

Result<PreparedStatement> Connection::Prepare(const std::string& sql) {
  if (fault_) CNAKE_RETURN_IF_ERROR(fault_->Check());
  duckdb_prepared_statement raw = nullptr;
  duckdb_state state = duckdb_prepare(handle_, sql.c_str(), &raw);
  PreparedStatement stmt(raw, fault_);  // destroyed even when prepare failed
  if (state == DuckDBError) return DuckError(duckdb_prepare_error(raw), "prepare failed");
  return stmt;
}

// ---- QueryResult ----

QueryResult::QueryResult(QueryResult&& other) noexcept
    : result_(other.result_), valid_(std::exchange(other.valid_, false)) {}

QueryResult& QueryResult::operator=(QueryResult&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&result_);
    result_ = other.result_;
    valid_ = std::exchange(other.valid_, false);
  }
  return *this;
}

QueryResult::~QueryResult() {
  if (valid_) duckdb_destroy_result(&result_);
}

std::size_t QueryResult::column_count() { return duckdb_column_count(&result_); }
std::string QueryResult::column_name(std::size_t col) {
  const char* n = duckdb_column_name(&result_, col);
  return n ? n : "";
}
std::int64_t QueryResult::rows_changed() {
  return static_cast<std::int64_t>(duckdb_rows_changed(&result_));
}

std::optional<DataChunk> QueryResult::NextChunk() {
  duckdb_data_chunk chunk = duckdb_fetch_chunk(result_);
  if (!chunk) return std::nullopt;
  return DataChunk(chunk);
}

// ---- DataChunk ----

DataChunk& DataChunk::operator=(DataChunk&& other) noexcept {
  if (this != &other) {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    chunk_ = std::exchange(other.chunk_, nullptr);
  }
  return *this;
}

DataChunk::~DataChunk() {
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
}

std::size_t DataChunk::size() const { return duckdb_data_chunk_get_size(chunk_); }

bool DataChunk::IsNull(std::size_t col, std::size_t row) const {
  uint64_t* validity = duckdb_vector_get_validity(duckdb_data_chunk_get_vector(chunk_, col));
  return validity && !duckdb_validity_row_is_valid(validity, row);
}

std::string_view DataChunk::GetString(std::size_t col, std::size_t row) const {
  auto* data = static_cast<duckdb_string_t*>(
      duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)));
  duckdb_string_t* s = &data[row];
  return {duckdb_string_t_data(s), duckdb_string_t_length(*s)};
}

std::int64_t DataChunk::GetInt64(std::size_t col, std::size_t row) const {
  return static_cast<int64_t*>(
      duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)))[row];
}

std::int32_t DataChunk::GetInt32(std::size_t col, std::size_t row) const {
  return static_cast<int32_t*>(
      duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)))[row];
}

double DataChunk::GetDouble(std::size_t col, std::size_t row) const {
  return static_cast<double*>(
      duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)))[row];
}

bool DataChunk::GetBool(std::size_t col, std::size_t row) const {
  return static_cast<bool*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)))[row];
}

std::optional<std::string> DataChunk::GetOptString(std::size_t col, std::size_t row) const {
  if (IsNull(col, row)) return std::nullopt;
  return std::string(GetString(col, row));
}

// ---- PreparedStatement ----

PreparedStatement& PreparedStatement::operator=(PreparedStatement&& other) noexcept {
  if (this != &other) {
    if (stmt_) duckdb_destroy_prepare(&stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    fault_ = std::move(other.fault_);
  }
  return *this;
}

PreparedStatement::~PreparedStatement() {
  if (stmt_) duckdb_destroy_prepare(&stmt_);
}

namespace {
Status BindResult(duckdb_state state, duckdb_prepared_statement stmt, std::size_t index) {
  if (state == DuckDBSuccess) return Status::Ok();
  const char* err = duckdb_prepare_error(stmt);
  return DatabaseError("cannot bind parameter " + std::to_string(index) +
                       (err ? std::string(": ") + err : std::string()));
}
}  // namespace

Status PreparedStatement::Bind(std::size_t i, std::string_view v) {
  return BindResult(duckdb_bind_varchar_length(stmt_, i, v.data(), v.size()), stmt_, i);
}
Status PreparedStatement::Bind(std::size_t i, std::int64_t v) {
  return BindResult(duckdb_bind_int64(stmt_, i, v), stmt_, i);
}
Status PreparedStatement::Bind(std::size_t i, double v) {
  return BindResult(duckdb_bind_double(stmt_, i, v), stmt_, i);
}
Status PreparedStatement::Bind(std::size_t i, bool v) {
  return BindResult(duckdb_bind_boolean(stmt_, i, v), stmt_, i);
}
Status PreparedStatement::Bind(std::size_t i, std::nullopt_t) {
  return BindResult(duckdb_bind_null(stmt_, i), stmt_, i);
}
Status PreparedStatement::Bind(std::size_t i, SystemTimePoint v) {
  return BindResult(duckdb_bind_timestamp(stmt_, i, ToDuckTimestamp(v)), stmt_, i);
}

Result<QueryResult> PreparedStatement::Execute() {
  if (fault_) CNAKE_RETURN_IF_ERROR(fault_->Check());
  QueryResult result;
  duckdb_state state = duckdb_execute_prepared(stmt_, result.raw());
  result.MarkValid();
  if (state == DuckDBError) {
    return NoteError(fault_.get(), duckdb_result_error(result.raw()), "statement failed");
  }
  return result;
}

Result<std::int64_t> PreparedStatement::Run() {
  CNAKE_ASSIGN_OR_RETURN(QueryResult r, Execute());
  return r.rows_changed();
}

// ---- Appender ----

Result<Appender> Appender::Create(const Connection& conn, const std::string& table,
                                  const std::string& schema, const std::string& catalog) {
  if (conn.fault()) CNAKE_RETURN_IF_ERROR(conn.fault()->Check());
  Appender app;
  app.fault_ = conn.fault();
  duckdb_state state =
      duckdb_appender_create_ext(conn.get(), catalog.empty() ? nullptr : catalog.c_str(),
                                 schema.c_str(), table.c_str(), &app.handle_);
  if (state == DuckDBError) {
    Status st = DuckError(app.handle_ ? duckdb_appender_error(app.handle_) : nullptr,
                          ("cannot append to " + table).c_str());
    return st;  // app's destructor frees the handle
  }
  return app;
}

Result<Appender> Appender::CreateFor(const Connection& conn, const std::string& table,
                                     const std::vector<std::string>& columns) {
  CNAKE_ASSIGN_OR_RETURN(Appender app, Create(conn, table));
  for (const std::string& column : columns) {
    CNAKE_RETURN_IF_ERROR(
        app.Check(duckdb_appender_add_column(app.handle_, column.c_str()), "appender column"));
  }
  return app;
}

Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    if (handle_) duckdb_appender_destroy(&handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    fault_ = std::move(other.fault_);
  }
  return *this;
}

Appender::~Appender() {
  if (handle_) duckdb_appender_destroy(&handle_);
}

Status Appender::Check(duckdb_state state, const char* what) {
  if (state == DuckDBSuccess) return Status::Ok();
  return NoteError(fault_.get(), duckdb_appender_error(handle_), what);
}

Status Appender::Append(std::string_view v) {
  return Check(duckdb_append_varchar_length(handle_, v.data(), v.size()), "append failed");
}
Status Appender::Append(std::int64_t v) {
  return Check(duckdb_append_int64(handle_, v), "append failed");
}
Status Appender::Append(double v) {
  return Check(duckdb_append_double(handle_, v), "append failed");
}
Status Appender::Append(bool v) { return Check(duckdb_append_bool(handle_, v), "append failed"); }
Status Appender::Append(std::nullopt_t) {
  return Check(duckdb_append_null(handle_), "append failed");
}
Status Appender::Append(SystemTimePoint v) {
  return Check(duckdb_append_timestamp(handle_, ToDuckTimestamp(v)), "append failed");
}
Status Appender::EndRow() { return Check(duckdb_appender_end_row(handle_), "append failed"); }
Status Appender::Flush() { return Check(duckdb_appender_flush(handle_), "appender flush failed"); }
Status Appender::Close() { return Check(duckdb_appender_close(handle_), "appender close failed"); }

// ---- helpers ----

std::string QuoteIdentifier(std::string_view name) { return QuoteByDoubling(name, '"'); }

std::optional<std::string> SqlStringLiteral(std::string_view value) {
  if (value.find('\0') != std::string_view::npos) return std::nullopt;
  return QuoteByDoubling(value, '\'');
}

std::optional<std::string> SqlStringList(const std::vector<std::string_view>& values) {
  std::string out = "(";
  for (std::string_view v : values) {
    auto literal = SqlStringLiteral(v);
    if (!literal) return std::nullopt;
    if (out.size() > 1) out += ", ";
    out += *literal;
  }
  out += ')';
  return out;
}

Result<Transaction> Transaction::Begin(Connection& conn) {
  CNAKE_RETURN_IF_ERROR(conn.Execute("BEGIN TRANSACTION"));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_) (void)conn_->Execute("ROLLBACK");
}

Status Transaction::Commit() {
  Connection* conn = std::exchange(conn_, nullptr);
  Status st = conn->Execute("COMMIT");
  if (!st.ok()) (void)conn->Execute("ROLLBACK");
  return st;
}

}  // namespace cnake::db
