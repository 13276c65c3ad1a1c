#include "testing/pg_database.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace cnake::testing {
namespace {

// Runs `sql` on a fresh connection to `url`; "" on success, else the error.
// With `out`, the first column of the first row goes there.
std::string Run(const std::string& url, const std::string& sql, std::string* out = nullptr) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(conn, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(r);
    } else if (out != nullptr) {
      *out = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "";
    }
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

}  // namespace

const char* PgDatabase::kSkipMessage =
    "no PostgreSQL test server: run scripts/test.sh, or start one with "
    "`eval \"$(scripts/pg_server.sh start)\"` and run the test again";

std::optional<std::string> PgDatabase::ServerUrl() {
  const char* url = std::getenv("CNAKE_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

PgDatabase::PgDatabase() {
  auto server = ServerUrl();
  if (!server) {
    error_ = kSkipMessage;
    return;
  }
  static std::atomic<int> counter{0};
  schema_ = "cnake_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  error_ = Run(*server, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
  if (!error_.empty()) return;
  url_ = *server + (server->find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + schema_;
}

PgDatabase::~PgDatabase() {
  if (auto server = ServerUrl(); server && !schema_.empty()) {
    (void)Run(*server, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
}

std::string PgDatabase::Exec(const std::string& sql) const { return Run(url_, sql); }

std::string PgDatabase::Query(const std::string& sql) const {
  std::string out;
  const std::string error = Run(url_, sql, &out);
  return error.empty() ? out : "error: " + error;
}

}  // namespace cnake::testing
