#include "store/postgres/pg.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdlib>

#include "util/quote.h"

namespace cnake::pg {
namespace {

std::string ErrorText(PGconn* conn) {
  std::string text = conn ? PQerrorMessage(conn) : "out of memory";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// "a\nb" -> "a; b": libpq's multi-line messages (one line per address tried)
// read better on one line.
std::string OneLine(std::string text) {
  for (std::size_t i = 0; (i = text.find('\n', i)) != std::string::npos;) {
    text.replace(i, 1, "; ");
  }
  return text;
}

}  // namespace

// --- Params ---

Params& Params::Add(std::string_view v) {
  values_.emplace_back(std::string(v));
  return *this;
}
Params& Params::Add(std::int64_t v) {
  values_.emplace_back(std::to_string(v));
  return *this;
}
Params& Params::Add(double v) {
  values_.emplace_back(fmt::format("{:.17g}", v));
  return *this;
}
Params& Params::Add(bool v) {
  values_.emplace_back(v ? "true" : "false");
  return *this;
}
Params& Params::Add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  return *this;
}
Params& Params::Add(SystemTimePoint v) {
  const auto micros = std::chrono::time_point_cast<std::chrono::microseconds>(v);
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(micros);
  const auto frac = (micros - secs).count();
  values_.emplace_back(
      fmt::format("{:%Y-%m-%d %H:%M:%S}.{:06d}+00",
                  fmt::gmtime(std::chrono::system_clock::to_time_t(
                      std::chrono::time_point_cast<std::chrono::system_clock::duration>(secs))),
                  frac));
  return *this;
}
Params& Params::Add(const std::vector<std::string>& values) {
  std::vector<std::optional<std::string>> all(values.begin(), values.end());
  return Add(all);
}

Params& Params::Add(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  values_.emplace_back(std::move(out));
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

// --- QueryResult ---

QueryResult& QueryResult::operator=(QueryResult&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = std::exchange(o.r_, nullptr);
  }
  return *this;
}
QueryResult::~QueryResult() {
  if (r_) PQclear(r_);
}
int QueryResult::rows() const { return r_ ? PQntuples(r_) : 0; }
std::int64_t QueryResult::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}
bool QueryResult::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
std::string_view QueryResult::Get(int row, int col) const {
  return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
}
std::optional<std::string> QueryResult::GetOpt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Get(row, col));
}
std::int64_t QueryResult::GetInt64(int row, int col) const {
  return IsNull(row, col) ? 0 : std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}
double QueryResult::GetDouble(int row, int col) const {
  return IsNull(row, col) ? 0 : std::strtod(PQgetvalue(r_, row, col), nullptr);
}
bool QueryResult::GetBool(int row, int col) const {
  return !IsNull(row, col) && PQgetvalue(r_, row, col)[0] == 't';
}

// --- Errors ---

Status ClassifyPgError(std::string_view sqlstate, std::string_view message, std::string_view what) {
  std::string text = what.empty() ? std::string(message) : fmt::format("{}: {}", what, message);
  StatusCode code = StatusCode::kDatabase;
  if (sqlstate == "25006") code = StatusCode::kReadOnly;
  if (sqlstate == "53100") code = StatusCode::kDiskFull;
  if (sqlstate == "53200") code = StatusCode::kOutOfMemory;
  if (sqlstate == "23505") code = StatusCode::kAlreadyExists;
  return Status(code, OneLine(std::move(text)));
}

bool IsRetryable(const std::string& sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

// --- Connection ---

Result<Connection> Connection::Open(const std::string& url, int connect_timeout_seconds) {
  // Earlier keywords are defaults: the expanded URL's own values override them.
  const std::string timeout = std::to_string(connect_timeout_seconds);
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "cnake-charmer-client", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return DatabaseError("PostgreSQL: out of memory while connecting");
  Connection c(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    return DatabaseError(fmt::format(
        "cannot connect to PostgreSQL at {}: {}. Is the server running and reachable, and are "
        "store.url's user, database and sslmode right? (the password comes from the URL in "
        "the config file or CNAKE_STORE_URL, PGPASSWORD or a password file)",
        c.Describe(), OneLine(ErrorText(conn))));
  }
  // Quiet: the migration's "already exists, skipping" notices are expected.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  // Times are read and written as UTC whatever the server's default zone.
  CNAKE_RETURN_IF_ERROR(c.Execute("SET TIME ZONE 'UTC'"));
  return c;
}

Connection::Connection(Connection&& o) noexcept
    : conn_(std::exchange(o.conn_, nullptr)), last_sqlstate_(std::move(o.last_sqlstate_)) {}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (conn_) PQfinish(conn_);
    conn_ = std::exchange(o.conn_, nullptr);
    last_sqlstate_ = std::move(o.last_sqlstate_);
  }
  return *this;
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

std::string Connection::Describe() const {
  if (conn_ == nullptr) return "postgresql://(not connected)";
  auto text = [](const char* s) { return std::string(s ? s : ""); };
  const std::string host = text(PQhost(conn_));
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return fmt::format("postgresql://{}@{}:{}/{}", text(PQuser(conn_)), shown_host,
                     text(PQport(conn_)), text(PQdb(conn_)));
}

bool Connection::broken() const { return conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD; }

Result<QueryResult> Connection::Query(const std::string& sql, const Params& params) {
  last_sqlstate_.clear();
  if (conn_ == nullptr) return DatabaseError("PostgreSQL: not connected");
  const std::vector<const char*> values = params.Pointers();
  QueryResult result(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, values.data(),
                                  nullptr, nullptr, /*resultFormat=*/0));
  const ExecStatusType status = result.get() ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* state = result.get() ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string message = result.get() ? PQresultErrorMessage(result.get()) : "";
  if (message.empty()) message = ErrorText(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (broken()) {
    return DatabaseError(
        fmt::format("lost the connection to PostgreSQL at {}: {}", Describe(), OneLine(message)));
  }
  return ClassifyPgError(last_sqlstate_, message, "PostgreSQL");
}

Result<std::int64_t> Connection::Run(const std::string& sql, const Params& params) {
  CNAKE_ASSIGN_OR_RETURN(QueryResult r, Query(sql, params));
  return r.affected();
}

Status Connection::Execute(const std::string& sql, const Params& params) {
  auto r = Query(sql, params);
  return r.ok() ? Status::Ok() : r.status();
}

// --- Transaction ---

Result<Transaction> Transaction::Begin(Connection& conn) {
  CNAKE_RETURN_IF_ERROR(conn.Execute("BEGIN"));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr && !conn_->broken()) (void)conn_->Execute("ROLLBACK");
}

Status Transaction::Commit() {
  Connection* conn = std::exchange(conn_, nullptr);
  return conn->Execute("COMMIT");
}

std::string QuoteIdentifier(std::string_view name) { return QuoteByDoubling(name, '"'); }

std::string IsoUtc(const std::string& column) {
  return fmt::format("to_char({}, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')", column);
}

}  // namespace cnake::pg
