#include "store/duckdb/schema.h"

#include <algorithm>
#include <map>

#include "store/table_names.h"

namespace cnake {
namespace {

const std::vector<std::string> kVarchar = {"VARCHAR"};
const std::vector<std::string> kJson = {"JSON", "VARCHAR"};
const std::vector<std::string> kBool = {"BOOLEAN"};
const std::vector<std::string> kInt = {"INTEGER", "BIGINT"};
const std::vector<std::string> kDouble = {"DOUBLE", "FLOAT"};
const std::vector<std::string> kTime = {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE"};

ColumnSpec Col(std::string name, std::string type, const std::vector<std::string>& compat,
               std::string default_expr = "", std::string create_constraint = "",
               bool required = false) {
  return {std::move(name),
          std::move(type),
          compat,
          std::move(default_expr),
          std::move(create_constraint),
          required};
}

// No IF NOT EXISTS: ExistingColumns found no table of that name, so a view
// holding the name must fail here rather than pass as a created table.
std::string CreateTableSql(const TableSpec& t) {
  std::string sql = "CREATE TABLE " + db::QuoteIdentifier(t.name) + " (";
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const ColumnSpec& c = t.columns[i];
    if (i) sql += ", ";
    sql += db::QuoteIdentifier(c.name) + " " + c.type;
    if (!c.create_constraint.empty()) sql += " " + c.create_constraint;
    if (!c.default_expr.empty()) sql += " DEFAULT " + c.default_expr;
  }
  return sql + ")";
}

// Existing columns (upper-case type names) of each of the spec's tables, in
// the spec's order; empty for a table the database's main schema lacks. Every
// command opens the store: one lookup per table and one query for all their
// columns cost about 4 ms on a fresh process, where information_schema.columns
// cost 10-19 ms (its first read builds every built-in catalog entry).
using Columns = std::map<std::string, std::string>;
Result<std::vector<Columns>> ExistingColumns(db::Connection& conn,
                                             const std::vector<TableSpec>& specs) {
  std::vector<Columns> tables(specs.size());
  std::string sql;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!conn.HasTable(specs[i].name)) continue;
    const std::optional<std::string> literal = db::SqlStringLiteral(specs[i].name);
    if (!literal)
      return InvalidArgument("table name " + specs[i].name + " cannot be a SQL literal");
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT CAST(" + std::to_string(i) +
           " AS INTEGER), lower(name), upper(type) FROM pragma_table_info(" + *literal + ")";
  }
  if (sql.empty()) return tables;
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult r, conn.Query(sql));
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      tables.at(static_cast<std::size_t>(chunk->GetInt32(0, row)))
          .emplace(chunk->GetString(1, row), chunk->GetString(2, row));
    }
  }
  return tables;
}

Status MigrateTable(db::Connection& conn, const TableSpec& spec, const Columns& existing,
                    MigrationReport& report) {
  if (existing.empty()) {
    CNAKE_RETURN_IF_ERROR(conn.Execute(CreateTableSql(spec)));
    report.created_tables.push_back(spec.name);
    return Status::Ok();
  }
  // Check every column before changing anything.
  for (const ColumnSpec& c : spec.columns) {
    auto it = existing.find(c.name);
    if (it == existing.end()) {
      if (c.required_in_foreign) {
        return Status(StatusCode::kSchemaMismatch,
                      "table " + spec.name + " has no column " + c.name + " (expected " + c.type +
                          "); add it or point duckdb.table_name at another table");
      }
      continue;
    }
    if (std::find(c.compatible.begin(), c.compatible.end(), it->second) == c.compatible.end()) {
      std::string allowed;
      for (const auto& t : c.compatible) allowed += (allowed.empty() ? "" : " or ") + t;
      return Status(StatusCode::kSchemaMismatch, "table " + spec.name + ", column " + c.name +
                                                     ": found type " + it->second + ", expected " +
                                                     allowed);
    }
  }
  for (const ColumnSpec& c : spec.columns) {
    if (existing.count(c.name)) continue;
    std::string sql = "ALTER TABLE " + db::QuoteIdentifier(spec.name) + " ADD COLUMN " +
                      db::QuoteIdentifier(c.name) + " " + c.type;
    if (!c.default_expr.empty()) sql += " DEFAULT " + c.default_expr;
    CNAKE_RETURN_IF_ERROR(conn.Execute(sql));
    report.added_columns.push_back(spec.name + "." + c.name);
  }
  return Status::Ok();
}

// When a foreign entries table gains processing_status but already tracked
// `processed`, carry that over instead of marking finished work pending.
Status BackfillStatus(db::Connection& conn, const TableNames& names, const MigrationReport& r) {
  const std::string added = names.entries + ".processing_status";
  if (std::find(r.added_columns.begin(), r.added_columns.end(), added) == r.added_columns.end()) {
    return Status::Ok();
  }
  return conn.Execute("UPDATE " + db::QuoteIdentifier(names.entries) +
                      " SET processing_status = 'completed' WHERE processed");
}

Result<int> ReadVersion(db::Connection& conn) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.Query("SELECT CAST(value AS INTEGER) FROM cnake_meta WHERE key = 'schema_version'"));
  auto chunk = r.NextChunk();
  if (!chunk || chunk->size() == 0) return 0;
  return chunk->GetInt32(0, 0);
}

}  // namespace

std::vector<TableSpec> SchemaTables(const TableNames& names) {
  const std::string now = "CURRENT_TIMESTAMP";
  return {
      {names.entries,
       {Col("id", "VARCHAR", kVarchar, "", "PRIMARY KEY", true),
        Col("code", "VARCHAR", kVarchar, "", "NOT NULL", true),
        Col("description", "VARCHAR", kVarchar), Col("metadata", "JSON", kJson),
        Col("tags", "JSON", kJson), Col("processed", "BOOLEAN", kBool, "FALSE"),
        Col("processing_status", "VARCHAR", kVarchar, "'pending'"),
        Col("python_id", "VARCHAR", kVarchar), Col("created_at", "TIMESTAMP", kTime, now),
        Col("processed_at", "TIMESTAMP", kTime),
        // Bookkeeping for the processing engine.
        Col("batch_id", "VARCHAR", kVarchar), Col("request_id", "VARCHAR", kVarchar),
        Col("attempts", "INTEGER", kInt, "0"), Col("submission_seq", "INTEGER", kInt, "0"),
        Col("last_error", "VARCHAR", kVarchar), Col("updated_at", "TIMESTAMP", kTime),
        // The batch the current submission's Idempotency-Key comes from when
        // another batch adopted the entry (store/types.h, Entry).
        Col("key_batch_id", "VARCHAR", kVarchar)}},
      {names.results,
       {Col("id", "VARCHAR", kVarchar, "", "PRIMARY KEY", true),
        Col("code", "VARCHAR", kVarchar, "", "NOT NULL", true),
        Col("cython_id", "VARCHAR", kVarchar), Col("metadata", "JSON", kJson),
        Col("generated_at", "TIMESTAMP", kTime, now)}},
      {"batch_jobs",
       {Col("id", "VARCHAR", kVarchar, "", "PRIMARY KEY", true),
        Col("total_entries", "INTEGER", kInt, "", "NOT NULL", true),
        Col("processed_entries", "INTEGER", kInt, "0"),
        Col("successful_entries", "INTEGER", kInt, "0"),
        Col("failed_entries", "INTEGER", kInt, "0"),
        Col("status", "VARCHAR", kVarchar, "'running'"), Col("options", "JSON", kJson),
        Col("started_at", "TIMESTAMP", kTime, now), Col("completed_at", "TIMESTAMP", kTime),
        Col("updated_at", "TIMESTAMP", kTime), Col("stop_reason", "VARCHAR", kVarchar),
        // Summed over the batch's runs when each ends; NULL until one has.
        Col("retry_after_wait_seconds", "DOUBLE", kDouble),
        Col("breaker_open_seconds", "DOUBLE", kDouble),
        // Set with status 'completed' (store/request_summary.h), else NULL.
        Col("request_summary", "VARCHAR", kVarchar)}},
      {"processing_errors",
       {Col("id", "VARCHAR", kVarchar, "", "PRIMARY KEY", true),
        Col("entry_id", "VARCHAR", kVarchar, "", "NOT NULL", true),
        Col("batch_id", "VARCHAR", kVarchar), Col("error_message", "VARCHAR", kVarchar),
        Col("error_type", "VARCHAR", kVarchar), Col("occurred_at", "TIMESTAMP", kTime, now),
        Col("http_status", "INTEGER", kInt), Col("attempt", "INTEGER", kInt),
        Col("request_id", "VARCHAR", kVarchar), Col("endpoint", "VARCHAR", kVarchar)}},
      {"api_requests",
       {Col("batch_id", "VARCHAR", kVarchar), Col("entry_id", "VARCHAR", kVarchar),
        Col("attempt", "INTEGER", kInt), Col("endpoint", "VARCHAR", kVarchar),
        Col("http_status", "INTEGER", kInt), Col("latency_ms", "DOUBLE", kDouble),
        Col("error_type", "VARCHAR", kVarchar), Col("occurred_at", "TIMESTAMP", kTime, now),
        // Tokens the API reported (chat protocol); NULL when it reported none.
        Col("prompt_tokens", "BIGINT", kInt), Col("completion_tokens", "BIGINT", kInt)}},
      // Entry changes committed but not yet folded into the entries table
      // (store/duckdb/journal.h); empty between runs.
      {"cnake_journal",
       {Col("seq", "BIGINT", kInt), Col("batch_id", "VARCHAR", kVarchar),
        Col("entry_id", "VARCHAR", kVarchar), Col("kind", "VARCHAR", kVarchar),
        Col("state", "VARCHAR", kVarchar), Col("submitted", "BOOLEAN", kBool),
        Col("request_id", "VARCHAR", kVarchar), Col("clear_request_id", "BOOLEAN", kBool),
        Col("submission_seq", "INTEGER", kInt), Col("attempts", "INTEGER", kInt),
        Col("last_error", "VARCHAR", kVarchar),
        // TRUE: the fold moves the batch counters (version 3); NULL: the
        // commit did (journal.h).
        Col("moves_counters", "BOOLEAN", kBool)}},
      {"cnake_meta",
       {Col("key", "VARCHAR", kVarchar, "", "PRIMARY KEY", true),
        Col("value", "VARCHAR", kVarchar)}},
  };
}

Result<MigrationReport> Migrate(db::Connection& conn, const TableNames& names) {
  CNAKE_RETURN_IF_ERROR(ValidateTableNames(names));
  MigrationReport report;
  {
    CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
    const std::vector<TableSpec> tables = SchemaTables(names);
    CNAKE_ASSIGN_OR_RETURN(const std::vector<Columns> existing, ExistingColumns(conn, tables));
    for (std::size_t i = 0; i < tables.size(); ++i) {
      CNAKE_RETURN_IF_ERROR(
          MigrateTable(conn, tables[i], existing[i], report).WithContext("schema migration"));
    }
    CNAKE_RETURN_IF_ERROR(BackfillStatus(conn, names, report));
    CNAKE_ASSIGN_OR_RETURN(report.from_version, ReadVersion(conn));
    report.schema_version = kSchemaVersion;
    if (report.from_version > kSchemaVersion) {
      return Status(StatusCode::kSchemaMismatch,
                    "database schema version " + std::to_string(report.from_version) +
                        " is newer than this client supports (" + std::to_string(kSchemaVersion) +
                        "); upgrade cnake-charmer-client");
    }
    if (report.from_version != kSchemaVersion) {
      CNAKE_RETURN_IF_ERROR(
          conn.ExecuteWith("INSERT INTO cnake_meta VALUES ('schema_version', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           std::to_string(kSchemaVersion)));
    }
    CNAKE_RETURN_IF_ERROR(txn.Commit());
  }
  if (report.changed() || report.from_version != kSchemaVersion) {
    CNAKE_RETURN_IF_ERROR(conn.Execute("FORCE CHECKPOINT"));
  }
  return report;
}

}  // namespace cnake
