// Move-only RAII wrappers over libpq (connection, result, transaction) and
// text-format query parameters.
//
// Contract: every wrapper frees its handle in its destructor. Errors come
// back as Status values carrying PostgreSQL's own message (never the
// password: libpq does not put it in messages, and Describe() leaves it out),
// classified by SQLSTATE where the cause is known (ClassifyPgError). A
// Connection remembers whether its last failure lost the connection, so that
// callers can reconnect and retry (store/postgres/work_session.h).
//
// Thread safety: one thread at a time per Connection (libpq's rule).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/clock.h"
#include "util/status.h"

namespace cnake::pg {

// Query parameters, all sent as text (PostgreSQL casts them as the statement
// says: `$1::bigint`, `$2::text[]`). NULL is a missing value.
class Params {
 public:
  Params& Add(std::string_view v);
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(std::int64_t v);
  Params& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
  Params& Add(std::size_t v) { return Add(static_cast<std::int64_t>(v)); }
  Params& Add(double v);
  Params& Add(bool v);
  Params& Add(std::nullopt_t);
  Params& Add(SystemTimePoint v);  // a timestamptz, UTC
  // An array literal, {"a","b\"c",NULL}, for a `$n::text[]` (or integer[],
  // boolean[]: PostgreSQL casts the quoted elements).
  Params& Add(const std::vector<std::string>& values);
  Params& Add(const std::vector<std::optional<std::string>>& values);
  template <typename T>
  Params& Add(const std::optional<T>& v) {
    return v ? Add(*v) : Add(std::nullopt);
  }

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid while it lives and is not changed.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// Builds Params from arguments in order: Args(a, b, c) binds $1, $2, $3.
template <typename... T>
Params Args(const T&... values) {
  Params p;
  (p.Add(values), ...);
  return p;
}

// A query result in text format. Readers take (row, column); a NULL reads
// as "" / 0 / false (use IsNull or GetOpt to tell).
class QueryResult {
 public:
  QueryResult() = default;
  explicit QueryResult(PGresult* r) : r_(r) {}
  QueryResult(QueryResult&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  QueryResult& operator=(QueryResult&& o) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  int rows() const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;
  bool IsNull(int row, int col) const;
  std::string_view Get(int row, int col) const;
  std::optional<std::string> GetOpt(int row, int col) const;
  std::int64_t GetInt64(int row, int col) const;
  double GetDouble(int row, int col) const;
  bool GetBool(int row, int col) const;
  PGresult* get() const { return r_; }

 private:
  PGresult* r_ = nullptr;
};

// The status for a failed statement: kSchemaMismatch never (the schema code
// says so itself), kReadOnly (25006), kDiskFull (53100), kOutOfMemory
// (53200), kAlreadyExists (23505), else kDatabase. `what` prefixes the
// message.
Status ClassifyPgError(std::string_view sqlstate, std::string_view message, std::string_view what);

class Connection {
 public:
  // Connects with `url` (a postgresql:// URI or key=value string; its
  // password, if any, stays with libpq). `connect_timeout_seconds` applies
  // unless the URL sets its own. kDatabase naming the server (without the
  // password) and what to check when the server cannot be reached.
  static Result<Connection> Open(const std::string& url, int connect_timeout_seconds = 10);

  Connection() = default;
  Connection(Connection&& o) noexcept;
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one statement with parameters; rows in text format.
  Result<QueryResult> Query(const std::string& sql, const Params& params = {});
  // Query, returning the rows it changed.
  Result<std::int64_t> Run(const std::string& sql, const Params& params = {});
  // Query for statements whose result nobody reads.
  Status Execute(const std::string& sql, const Params& params = {});

  // "postgresql://user@host:port/dbname": never the password.
  std::string Describe() const;
  // True when the connection is gone (the server restarted, the network
  // failed): reconnect before the next statement.
  bool broken() const;
  // SQLSTATE of the last failed statement ("" if none or no server answer).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  PGconn* get() const { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_ = nullptr;
  std::string last_sqlstate_;
};

// True for SQLSTATEs after which the same transaction may succeed when run
// again: serialization failure (40001) and deadlock (40P01).
bool IsRetryable(const std::string& sqlstate);

// RAII transaction: BEGIN on Begin(), ROLLBACK on destruction unless Commit()
// succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn);
  Transaction(Transaction&& o) noexcept : conn_(std::exchange(o.conn_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

// Quotes an identifier ("a""b"), as the DuckDB store does. Callers validate
// names first (store/table_names.h).
std::string QuoteIdentifier(std::string_view name);

// A timestamp column as ISO 8601 UTC text with milliseconds
// (2026-01-02T03:04:05.678Z, util/time_format.h; connections run in UTC),
// for SELECT lists.
std::string IsoUtc(const std::string& column);

}  // namespace cnake::pg
