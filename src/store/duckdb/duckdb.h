// Move-only RAII wrappers over DuckDB's C API handles (database, connection,
// result, data chunk, prepared statement, appender).
//
// Contract: every wrapper frees its handle in its destructor, also when the
// call that produced it failed (as duckdb.h requires for results and prepared
// statements). Errors come back as Status values carrying DuckDB's own
// message, classified where the cause is known (ClassifyDuckDbError).
//
// After a write to the file fails (a full disk), every later statement of
// the instance, on any connection, is refused with that error (write_fault.h
// says why); ROLLBACK alone still runs.
//
// Thread safety: a Database may be shared by threads; a Connection (and
// everything made from it) must be used by one thread at a time.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/duckdb/write_fault.h"
#include "util/clock.h"
#include "util/status.h"

namespace cnake::db {

struct OpenOptions {
  bool read_only = false;
  // DuckDB's buffer manager (block cache, spillable query state) stays below
  // this; beyond it DuckDB evicts or spills to `<path>.tmp/`. Too small and
  // queries fail with DuckDB's "Out of Memory Error" (16MB is not enough).
  std::string memory_limit = "64MB";
  int threads = 2;                   // a -fsanitize=thread build always uses 1 (duckdb.cc says why)
  std::string checkpoint_threshold;  // e.g. "128MB"; empty keeps DuckDB's default
  // Rows per row group of the row groups this process writes. A checkpoint
  // rewrites every changed column of a row group, so this bounds each
  // checkpoint's memory and time: at DuckDB's default (122,880 rows) a
  // checkpoint of a 100,000-entry result table re-compressed ~100 MB of text
  // and doubled the client's peak RSS (docs/reliability.md, promise 6).
  // A file database is then opened by attaching it to an in-memory instance
  // (the only way DuckDB 1.4 takes the option); 0 opens it directly with
  // DuckDB's default.
  std::int64_t row_group_size = 8192;
};

// Who holds a conflicting lock, parsed from DuckDB's IO error.
struct LockHolder {
  std::string program;
  long pid = 0;
};
std::optional<LockHolder> ParseLockConflict(std::string_view duckdb_message);

// The status for a DuckDB error message: kLocked (another process holds the
// file), kOutOfMemory (memory_limit), kReadOnly (a read-only file or disk),
// kDiskFull, else kDatabase. The message is kept whole, prefixed by `what`.
Status ClassifyDuckDbError(std::string_view message, std::string_view what);

class Database {
 public:
  // Opens (creating if needed) the database file at `path`. ":memory:" or ""
  // opens an in-memory database. Every connection's TimeZone is UTC, so
  // now() and CURRENT_TIMESTAMP store UTC whatever the process's TZ.
  static Result<Database> Open(const std::string& path, const OpenOptions& options = {});

  Database() = default;
  Database(Database&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)),
        catalog_(std::move(other.catalog_)),
        fault_(std::move(other.fault_)) {}
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  duckdb_database get() const { return handle_; }
  // The attached file's catalog that every connection USEs; empty when the
  // file is the instance's main database.
  const std::string& catalog() const { return catalog_; }
  // The instance's first failed write, shared with its connections.
  const std::shared_ptr<WriteFault>& fault() const { return fault_; }

 private:
  Status Attach(const std::string& path, const OpenOptions& options);
  // Makes UTC the time zone of every connection (stored times are UTC).
  Status UseUtc();

  duckdb_database handle_ = nullptr;
  std::string catalog_;
  std::shared_ptr<WriteFault> fault_ = std::make_shared<WriteFault>();
};

class DataChunk;

// A materialized query result. Read it chunk by chunk with NextChunk().
class QueryResult {
 public:
  QueryResult() = default;
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&& other) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  std::size_t column_count();
  std::string column_name(std::size_t col);
  std::int64_t rows_changed();
  // The next chunk, or an empty optional at the end.
  std::optional<DataChunk> NextChunk();

  duckdb_result* raw() { return &result_; }
  void MarkValid() { valid_ = true; }

 private:
  duckdb_result result_{};
  bool valid_ = false;
};

// One chunk of a result: typed readers by (column, row). Callers must read a
// column with the reader matching its SQL type (cast in SQL when unsure).
class DataChunk {
 public:
  explicit DataChunk(duckdb_data_chunk chunk) : chunk_(chunk) {}
  DataChunk(DataChunk&& other) noexcept : chunk_(std::exchange(other.chunk_, nullptr)) {}
  DataChunk& operator=(DataChunk&& other) noexcept;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  ~DataChunk();

  std::size_t size() const;
  bool IsNull(std::size_t col, std::size_t row) const;
  std::string_view GetString(std::size_t col, std::size_t row) const;  // VARCHAR, JSON
  std::int64_t GetInt64(std::size_t col, std::size_t row) const;       // BIGINT
  std::int32_t GetInt32(std::size_t col, std::size_t row) const;       // INTEGER
  double GetDouble(std::size_t col, std::size_t row) const;            // DOUBLE
  bool GetBool(std::size_t col, std::size_t row) const;                // BOOLEAN
  // Convenience: NULL -> nullopt.
  std::optional<std::string> GetOptString(std::size_t col, std::size_t row) const;

 private:
  duckdb_data_chunk chunk_ = nullptr;
};

class PreparedStatement {
 public:
  PreparedStatement() = default;
  PreparedStatement(duckdb_prepared_statement stmt, std::shared_ptr<WriteFault> fault)
      : stmt_(stmt), fault_(std::move(fault)) {}
  PreparedStatement(PreparedStatement&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), fault_(std::move(other.fault_)) {}
  PreparedStatement& operator=(PreparedStatement&& other) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  // Parameter indexes are 1-based, as in SQL ($1, ?).
  Status Bind(std::size_t index, std::string_view value);
  Status Bind(std::size_t index, const char* value) { return Bind(index, std::string_view(value)); }
  Status Bind(std::size_t index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Status Bind(std::size_t index, std::int64_t value);
  Status Bind(std::size_t index, int value) {
    return Bind(index, static_cast<std::int64_t>(value));
  }
  Status Bind(std::size_t index, double value);
  Status Bind(std::size_t index, bool value);
  Status Bind(std::size_t index, std::nullopt_t);
  Status Bind(std::size_t index, SystemTimePoint value);  // a TIMESTAMP, UTC
  template <typename T>
  Status Bind(std::size_t index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : Bind(index, std::nullopt);
  }
  // Binds all arguments in order starting at 1.
  template <typename... Args>
  Status BindAll(const Args&... args) {
    std::size_t i = 0;
    Status st;
    ((st.ok() ? (st = Bind(++i, args), 0) : 0), ...);
    return st;
  }

  Result<QueryResult> Execute();
  // Execute, ignoring rows; returns rows changed.
  Result<std::int64_t> Run();

 private:
  duckdb_prepared_statement stmt_ = nullptr;
  std::shared_ptr<WriteFault> fault_;
};

class Connection {
 public:
  static Result<Connection> Open(const Database& db);

  Connection() = default;
  Connection(Connection&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), fault_(std::move(other.fault_)) {}
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Result<QueryResult> Query(const std::string& sql);
  Status Execute(const std::string& sql);
  Result<PreparedStatement> Prepare(const std::string& sql);

  // Prepares, binds `args` and runs; returns the result.
  template <typename... Args>
  Result<QueryResult> QueryWith(const std::string& sql, const Args&... args) {
    CNAKE_ASSIGN_OR_RETURN(PreparedStatement stmt, Prepare(sql));
    CNAKE_RETURN_IF_ERROR(stmt.BindAll(args...));
    return stmt.Execute();
  }
  template <typename... Args>
  Result<std::int64_t> RunWith(const std::string& sql, const Args&... args) {
    CNAKE_ASSIGN_OR_RETURN(PreparedStatement stmt, Prepare(sql));
    CNAKE_RETURN_IF_ERROR(stmt.BindAll(args...));
    return stmt.Run();
  }
  // RunWith for statements whose row count nobody needs.
  template <typename... Args>
  Status ExecuteWith(const std::string& sql, const Args&... args) {
    auto rows = RunWith(sql, args...);
    return rows.ok() ? Status::Ok() : rows.status();
  }

  // Whether the current database's main schema holds a table of that name
  // (case-insensitive, as DuckDB resolves names). A single catalog lookup: a
  // query over duckdb_tables() or information_schema first builds every
  // built-in catalog entry, about 9 ms on the first such query of a process.
  bool HasTable(const std::string& table) const;

  duckdb_connection get() const { return handle_; }
  const std::shared_ptr<WriteFault>& fault() const { return fault_; }

 private:
  duckdb_connection handle_ = nullptr;
  std::shared_ptr<WriteFault> fault_;  // the database's
};

// Appends rows to a table; call EndRow() after each row's values and Close()
// (or Flush()) to make them visible. Destruction without Close() discards
// nothing already flushed but swallows the final flush's error.
class Appender {
 public:
  // `catalog` is empty for the database itself, "temp" for temporary tables.
  static Result<Appender> Create(const Connection& conn, const std::string& table,
                                 const std::string& schema = "main",
                                 const std::string& catalog = "");
  // Appends only `columns`, in that order; the table's other columns take
  // their defaults. For tables another tool may have created with columns in
  // another order, or with more of them.
  static Result<Appender> CreateFor(const Connection& conn, const std::string& table,
                                    const std::vector<std::string>& columns);

  Appender() = default;
  Appender(Appender&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), fault_(std::move(other.fault_)) {}
  Appender& operator=(Appender&& other) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  Status Append(std::string_view value);
  Status Append(const std::string& value) { return Append(std::string_view(value)); }
  // Not Append(bool), which a string literal would otherwise pick.
  Status Append(const char* value) { return Append(std::string_view(value)); }
  Status Append(std::int64_t value);
  Status Append(double value);
  Status Append(bool value);
  Status Append(std::nullopt_t);
  template <typename T>
  Status Append(const std::optional<T>& value) {
    return value ? Append(*value) : Append(std::nullopt);
  }
  Status Append(SystemTimePoint value);  // a TIMESTAMP, UTC
  Status EndRow();
  Status Flush();
  Status Close();

 private:
  Status Check(duckdb_state state, const char* what);
  duckdb_appender handle_ = nullptr;
  std::shared_ptr<WriteFault> fault_;  // the connection's database's
};

// The version of the DuckDB library this process runs with, e.g. "v1.4.4".
std::string LibraryVersion();

// Quotes an identifier for SQL ("a""b"). Callers validate names first.
std::string QuoteIdentifier(std::string_view name);

// One SQL string literal, 'b''c', or nullopt if the value holds a NUL byte.
// Values are data, never SQL: quotes are doubled, and DuckDB's standard
// strings have no backslash escapes.
std::optional<std::string> SqlStringLiteral(std::string_view value);

// A parenthesised list of SQL string literals, ('a', 'b''c'), or nullopt if a
// value cannot be a literal (it holds a NUL byte; DuckDB strings may). For
// filters that must reach the table scan as constants: DuckDB prunes row
// groups by their min/max only for constant filters, while the same values
// bound as parameters or joined from a temp table scan the whole table.
// Values are data, never SQL: quotes are doubled, and DuckDB's standard
// strings have no backslash escapes.
std::optional<std::string> SqlStringList(const std::vector<std::string_view>& values);

// RAII transaction: BEGIN on construction, ROLLBACK on destruction unless
// Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

}  // namespace cnake::db
