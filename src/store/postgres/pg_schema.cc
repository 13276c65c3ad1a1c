#include "store/postgres/pg_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "store/duckdb/schema.h"
#include "store/table_names.h"
#include "util/sha256.h"

namespace cnake::pg {
namespace {

// Serialises migrations of one database (any constant works; this one spells
// "cnake" in ASCII).
constexpr std::int64_t kMigrationLock = 0x636e616b65;

// A DuckDB type of the shared spec as PostgreSQL's, and the PostgreSQL types
// (information_schema.columns.data_type, upper case) an existing column may have.
struct PgType {
  std::string create;
  std::vector<std::string> compatible;
};

PgType MapType(const std::string& duckdb) {
  static const std::map<std::string, PgType> kTypes = {
      {"VARCHAR", {"text", {"TEXT", "CHARACTER VARYING"}}},
      {"JSON", {"json", {"JSON", "JSONB", "TEXT", "CHARACTER VARYING"}}},
      {"BOOLEAN", {"boolean", {"BOOLEAN"}}},
      {"INTEGER", {"integer", {"INTEGER", "BIGINT"}}},
      {"BIGINT", {"bigint", {"BIGINT"}}},
      {"DOUBLE", {"double precision", {"DOUBLE PRECISION", "REAL", "NUMERIC"}}},
      {"TIMESTAMP", {"timestamptz", {"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITHOUT TIME ZONE"}}},
  };
  auto it = kTypes.find(duckdb);
  return it == kTypes.end() ? PgType{duckdb, {duckdb}} : it->second;
}

std::string Q(const std::string& name) { return QuoteIdentifier(name); }

// The shared spec with PostgreSQL types, plus the queue's own columns and table.
std::vector<TableSpec> PgTables(const TableNames& names) {
  std::vector<TableSpec> tables = SchemaTables(names);
  // The DuckDB store's journal batches its slow UPDATEs; PostgreSQL updates
  // the entries in place, so it has no journal table.
  tables.erase(std::remove_if(tables.begin(), tables.end(),
                              [](const TableSpec& t) { return t.name == "cnake_journal"; }),
               tables.end());
  for (TableSpec& t : tables) {
    for (ColumnSpec& c : t.columns) {
      PgType type = MapType(c.type);
      c.type = type.create;
      c.compatible = type.compatible;
    }
    if (t.name == names.entries) {
      t.columns.push_back({"lease_owner", "text", {"TEXT", "CHARACTER VARYING"}, "", "", false});
    }
  }
  const std::vector<std::string> kText = {"TEXT", "CHARACTER VARYING"};
  const std::vector<std::string> kTime = {"TIMESTAMP WITH TIME ZONE"};
  const std::vector<std::string> kBig = {"BIGINT", "INTEGER"};
  const std::vector<std::string> kDouble = {"DOUBLE PRECISION"};
  tables.push_back({kRunnersTable,
                    {{"id", "text", kText, "", "PRIMARY KEY", true},
                     {"batch_id", "text", kText, "", "NOT NULL", true},
                     {"host", "text", kText, "", "", false},
                     {"pid", "bigint", kBig, "", "", false},
                     {"joined_seq", "bigint", kBig, "0", "", false},
                     {"seen_seq", "bigint", kBig, "0", "", false},
                     {"started_at", "timestamptz", kTime, "now()", "", false},
                     {"heartbeat_at", "timestamptz", kTime, "now()", "", false},
                     {"expires_at", "timestamptz", kTime, "", "", false},
                     {"renew_seconds", "double precision", kDouble, "", "", false},
                     {"last_commit", "bigint", kBig, "0", "", false}}});
  return tables;
}

std::string CreateTableSql(const TableSpec& t) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + Q(t.name) + " (";
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const ColumnSpec& c = t.columns[i];
    if (i) sql += ", ";
    sql += Q(c.name) + " " + c.type;
    if (!c.create_constraint.empty()) sql += " " + c.create_constraint;
    if (!c.default_expr.empty()) sql += " DEFAULT " + c.default_expr;
  }
  return sql + ")";
}

// Existing columns of `table` in the connection's schema (upper-case types),
// empty when it does not exist.
Result<std::map<std::string, std::string>> ExistingColumns(Connection& conn,
                                                           const std::string& table) {
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query("SELECT lower(column_name), upper(data_type) FROM information_schema.columns "
                 "WHERE table_schema = current_schema() AND lower(table_name) = lower($1)",
                 Args(table)));
  std::map<std::string, std::string> cols;
  for (int i = 0; i < r.rows(); ++i) cols.emplace(r.Get(i, 0), r.Get(i, 1));
  return cols;
}

Status MigrateTable(Connection& conn, const TableSpec& spec, MigrationReport& report) {
  CNAKE_ASSIGN_OR_RETURN(auto existing, ExistingColumns(conn, spec.name));
  if (existing.empty()) {
    CNAKE_RETURN_IF_ERROR(conn.Execute(CreateTableSql(spec)));
    report.created_tables.push_back(spec.name);
    return Status::Ok();
  }
  for (const ColumnSpec& c : spec.columns) {
    auto it = existing.find(c.name);
    if (it == existing.end()) {
      if (c.required_in_foreign) {
        return Status(StatusCode::kSchemaMismatch,
                      fmt::format("table {} has no column {} (expected {}); add it or point "
                                  "duckdb.table_name at another table",
                                  spec.name, c.name, c.type));
      }
      continue;
    }
    if (std::find(c.compatible.begin(), c.compatible.end(), it->second) == c.compatible.end()) {
      std::string allowed;
      for (const auto& t : c.compatible) allowed += (allowed.empty() ? "" : " or ") + t;
      return Status(StatusCode::kSchemaMismatch,
                    fmt::format("table {}, column {}: found type {}, expected {}", spec.name,
                                c.name, it->second, allowed));
    }
  }
  for (const ColumnSpec& c : spec.columns) {
    if (existing.count(c.name)) continue;
    std::string sql = "ALTER TABLE " + Q(spec.name) + " ADD COLUMN " + Q(c.name) + " " + c.type;
    if (!c.default_expr.empty()) sql += " DEFAULT " + c.default_expr;
    CNAKE_RETURN_IF_ERROR(conn.Execute(sql));
    report.added_columns.push_back(spec.name + "." + c.name);
  }
  return Status::Ok();
}

// An index name within PostgreSQL's 63 bytes, unique per table and purpose.
std::string IndexName(const std::string& table, const char* purpose) {
  return fmt::format("cnake_{}_{}", Sha256Hex(table).substr(0, 12), purpose);
}

Status CreateIndexes(Connection& conn, const TableNames& names) {
  const std::string unfinished =
      "coalesce(processing_status, 'pending') NOT IN ('completed', 'failed')";
  const std::string e = Q(names.entries);
  const std::string statements[] = {
      // Leasing walks a batch's unfinished entries in id order.
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} (batch_id, id) WHERE {}",
                  IndexName(names.entries, "unfinished"), e, unfinished),
      // Stored request_ids are leased first, and there are few of them.
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} (batch_id, id) WHERE {} AND request_id "
                  "IS NOT NULL",
                  IndexName(names.entries, "requested"), e, unfinished),
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} (batch_id)",
                  IndexName(names.entries, "batch"), e),
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} (cython_id)",
                  IndexName(names.results, "cython"), Q(names.results)),
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON processing_errors (batch_id)",
                  IndexName("processing_errors", "batch")),
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON api_requests (batch_id, occurred_at)",
                  IndexName("api_requests", "batch")),
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} (batch_id)",
                  IndexName(kRunnersTable, "batch"), kRunnersTable),
  };
  for (const std::string& sql : statements) CNAKE_RETURN_IF_ERROR(conn.Execute(sql));
  return Status::Ok();
}

Result<int> ReadVersion(Connection& conn) {
  CNAKE_ASSIGN_OR_RETURN(QueryResult r,
                         conn.Query("SELECT value FROM cnake_meta WHERE key = 'schema_version'"));
  if (r.rows() == 0) return 0;
  return static_cast<int>(r.GetInt64(0, 0));
}

}  // namespace

Result<MigrationReport> Migrate(Connection& conn, const TableNames& names) {
  CNAKE_RETURN_IF_ERROR(ValidateTableNames(names));
  MigrationReport report;
  CNAKE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  CNAKE_RETURN_IF_ERROR(
      conn.Execute("SELECT pg_advisory_xact_lock($1::bigint)", Args(kMigrationLock)));
  for (const TableSpec& t : PgTables(names)) {
    CNAKE_RETURN_IF_ERROR(MigrateTable(conn, t, report).WithContext("schema migration"));
  }
  if (std::find(report.added_columns.begin(), report.added_columns.end(),
                names.entries + ".processing_status") != report.added_columns.end()) {
    // A foreign table that tracked `processed` keeps its finished work.
    CNAKE_RETURN_IF_ERROR(conn.Execute("UPDATE " + Q(names.entries) +
                                       " SET processing_status = 'completed' WHERE processed"));
  }
  CNAKE_RETURN_IF_ERROR(CreateIndexes(conn, names));
  CNAKE_ASSIGN_OR_RETURN(report.from_version, ReadVersion(conn));
  report.schema_version = kSchemaVersion;
  if (report.from_version > kSchemaVersion) {
    return Status(StatusCode::kSchemaMismatch,
                  fmt::format("database schema version {} is newer than this client supports "
                              "({}); upgrade cnake-charmer-client",
                              report.from_version, kSchemaVersion));
  }
  if (report.from_version != kSchemaVersion) {
    CNAKE_RETURN_IF_ERROR(
        conn.Execute("INSERT INTO cnake_meta (key, value) VALUES ('schema_version', $1) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     Args(std::to_string(kSchemaVersion))));
  }
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return report;
}

Result<bool> SchemaExists(Connection& conn, const TableNames& names) {
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                 "current_schema() AND lower(table_name) IN (lower($1), 'batch_jobs', "
                 "'cnake_runners')",
                 Args(names.entries)));
  return r.GetInt64(0, 0) == 3;
}

}  // namespace cnake::pg
