// DuckDbStore::ReadAll and WriteAll: every row of the four tables as it is
// stored (store/transfer.h), for moving a database between stores.
#include <fmt/format.h>

#include "store/duckdb/duckdb_store.h"

namespace cnake {
namespace {

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

// A timestamp as ISO 8601 UTC text with microseconds; "" for NULL.
std::string Micros(const std::string& column) {
  return fmt::format("coalesce(strftime({}, '%Y-%m-%dT%H:%M:%S.%fZ'), '')", column);
}

std::optional<std::string> OrNull(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}
std::optional<std::int64_t> OptInt(const db::DataChunk& c, std::size_t col, std::size_t row) {
  return c.IsNull(col, row) ? std::nullopt : std::optional<std::int64_t>(c.GetInt64(col, row));
}

using RowReader = std::function<void(const db::DataChunk&, std::size_t, TransferChunk&)>;

Status ReadRequests(db::Connection& conn, const TransferSink& sink);  // below

// Reads `select_from` in pages keyed by its first column, id.
Status ReadPaged(db::Connection& conn, const std::string& select_from, const RowReader& read,
                 const TransferSink& sink) {
  std::optional<std::string> after;
  while (true) {
    CNAKE_ASSIGN_OR_RETURN(
        db::QueryResult r,
        conn.QueryWith(select_from + " WHERE CAST($1 AS VARCHAR) IS NULL OR id > $1 ORDER BY id "
                                     "LIMIT $2",
                       after, static_cast<std::int64_t>(kTransferPage)));
    TransferChunk page;
    std::string last;
    while (auto chunk = r.NextChunk()) {
      for (std::size_t i = 0; i < chunk->size(); ++i) {
        read(*chunk, i, page);
        last = std::string(chunk->GetString(0, i));
      }
    }
    if (page.size() == 0) return Status::Ok();
    CNAKE_RETURN_IF_ERROR(sink(page));
    if (page.size() < kTransferPage) return Status::Ok();
    after = last;
  }
}

// Stages rows as text in a temp table (one appender), then replaces the
// target rows with the same id by them, casting each column.
struct StagedTable {
  std::string target;
  std::vector<std::string> columns;  // target column names
  std::vector<std::string> casts;    // SQL type each staged text column becomes
};

Status Replace(db::Connection& conn, const StagedTable& t,
               const std::vector<std::vector<std::optional<std::string>>>& rows) {
  if (rows.empty()) return Status::Ok();
  std::string create = "CREATE OR REPLACE TEMP TABLE cnake_transfer (";
  std::string select, names;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    create += fmt::format("{}c{} VARCHAR", i ? ", " : "", i);
    select += fmt::format("{}CAST(c{} AS {})", i ? ", " : "", i, t.casts[i]);
    names += (i ? ", " : "") + Q(t.columns[i]);
  }
  CNAKE_RETURN_IF_ERROR(conn.Execute(create + ")"));
  {
    CNAKE_ASSIGN_OR_RETURN(db::Appender app,
                           db::Appender::Create(conn, "cnake_transfer", "main", "temp"));
    for (const auto& row : rows) {
      for (const auto& v : row) CNAKE_RETURN_IF_ERROR(app.Append(v));
      CNAKE_RETURN_IF_ERROR(app.EndRow());
    }
    CNAKE_RETURN_IF_ERROR(app.Close());
  }
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      fmt::format("DELETE FROM {} WHERE id IN (SELECT c0 FROM temp.cnake_transfer)", t.target)));
  return conn.Execute(fmt::format("INSERT INTO {} ({}) SELECT {} FROM temp.cnake_transfer",
                                  t.target, names, select));
}

std::optional<std::string> Num(std::optional<std::int64_t> v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}
std::optional<std::string> Real(std::optional<double> v) {
  return v ? std::optional<std::string>(fmt::format("{:.17g}", *v)) : std::nullopt;
}

}  // namespace

Status DuckDbStore::ReadAll(const TransferSink& sink) {
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      conn_,
      fmt::format("SELECT {}, coalesce(processing_status, ''), coalesce(processed, false), {}, {}, "
                  "{} FROM {}",
                  EntrySelectList(), Micros("created_at"), Micros("processed_at"),
                  Micros("updated_at"), Entries()),
      [](const db::DataChunk& c, std::size_t i, TransferChunk& out) {
        EntryRow row;
        row.entry = ReadEntryRow(c, i);
        row.state_text = std::string(c.GetString(13, i));
        row.processed = c.GetBool(14, i);
        row.created_at = std::string(c.GetString(15, i));
        row.processed_at = std::string(c.GetString(16, i));
        row.updated_at = std::string(c.GetString(17, i));
        out.entries.push_back(std::move(row));
      },
      sink));
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      conn_,
      fmt::format("SELECT id, code, cython_id, CAST(metadata AS VARCHAR), {} FROM {}",
                  Micros("generated_at"), Results()),
      [](const db::DataChunk& c, std::size_t i, TransferChunk& out) {
        out.results.push_back({std::string(c.GetString(0, i)), std::string(c.GetString(1, i)),
                               c.GetOptString(2, i), c.GetOptString(3, i),
                               std::string(c.GetString(4, i))});
      },
      sink));
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      conn_,
      fmt::format("SELECT id, coalesce(status, ''), CAST(total_entries AS BIGINT), "
                  "CAST(coalesce(processed_entries, 0) AS BIGINT), "
                  "CAST(coalesce(successful_entries, 0) AS BIGINT), "
                  "CAST(coalesce(failed_entries, 0) AS BIGINT), {}, {}, {}, "
                  "CAST(options AS VARCHAR), stop_reason, CAST(retry_after_wait_seconds AS "
                  "DOUBLE), CAST(breaker_open_seconds AS DOUBLE) FROM batch_jobs",
                  Micros("started_at"), Micros("completed_at"), Micros("updated_at")),
      [](const db::DataChunk& c, std::size_t i, TransferChunk& out) {
        BatchRow b;
        b.record.id = std::string(c.GetString(0, i));
        b.record.status_text = std::string(c.GetString(1, i));
        b.record.status = ParseBatchStatus(b.record.status_text);
        b.record.total = c.GetInt64(2, i);
        b.record.processed = c.GetInt64(3, i);
        b.record.successful = c.GetInt64(4, i);
        b.record.failed = c.GetInt64(5, i);
        b.record.started_at = std::string(c.GetString(6, i));
        b.record.completed_at = std::string(c.GetString(7, i));
        b.updated_at = std::string(c.GetString(8, i));
        b.options_json = c.GetOptString(9, i);
        b.stop_reason = c.GetOptString(10, i);
        if (!c.IsNull(11, i)) b.record.retry_after_wait_seconds = c.GetDouble(11, i);
        if (!c.IsNull(12, i)) b.record.breaker_open_seconds = c.GetDouble(12, i);
        out.batches.push_back(std::move(b));
      },
      sink));
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      conn_,
      fmt::format("SELECT id, entry_id, batch_id, error_message, error_type, CAST(http_status AS "
                  "BIGINT), CAST(attempt AS BIGINT), request_id, endpoint, {} FROM "
                  "processing_errors",
                  Micros("occurred_at")),
      [](const db::DataChunk& c, std::size_t i, TransferChunk& out) {
        ErrorRow e;
        e.id = std::string(c.GetString(0, i));
        e.entry_id = std::string(c.GetString(1, i));
        e.batch_id = c.GetOptString(2, i);
        e.message = c.GetOptString(3, i);
        e.error_type = c.GetOptString(4, i);
        e.http_status = OptInt(c, 5, i);
        e.attempt = OptInt(c, 6, i);
        e.request_id = c.GetOptString(7, i);
        e.endpoint = c.GetOptString(8, i);
        e.occurred_at = std::string(c.GetString(9, i));
        out.errors.push_back(std::move(e));
      },
      sink));
  return ReadRequests(conn_, sink);
}

namespace {

// The request log in pages by rowid (it has no id column).
Status ReadRequests(db::Connection& conn, const TransferSink& sink) {
  std::int64_t after = -1;
  while (true) {
    CNAKE_ASSIGN_OR_RETURN(
        db::QueryResult r,
        conn.QueryWith(fmt::format("SELECT rowid, batch_id, entry_id, endpoint, error_type, "
                                   "CAST(attempt AS BIGINT), CAST(http_status AS BIGINT), "
                                   "CAST(latency_ms AS DOUBLE), {}, CAST(prompt_tokens AS BIGINT), "
                                   "CAST(completion_tokens AS BIGINT) FROM api_requests WHERE rowid "
                                   "> $1 ORDER BY rowid LIMIT $2",
                                   Micros("occurred_at")),
                       after, static_cast<std::int64_t>(kTransferPage)));
    TransferChunk page;
    while (auto c = r.NextChunk()) {
      for (std::size_t i = 0; i < c->size(); ++i) {
        after = c->GetInt64(0, i);
        RequestRow q;
        q.batch_id = c->GetOptString(1, i);
        q.entry_id = c->GetOptString(2, i);
        q.endpoint = c->GetOptString(3, i);
        q.error_type = c->GetOptString(4, i);
        q.attempt = OptInt(*c, 5, i);
        q.http_status = OptInt(*c, 6, i);
        if (!c->IsNull(7, i)) q.latency_ms = c->GetDouble(7, i);
        q.occurred_at = std::string(c->GetString(8, i));
        q.prompt_tokens = OptInt(*c, 9, i);
        q.completion_tokens = OptInt(*c, 10, i);
        page.requests.push_back(std::move(q));
      }
    }
    if (page.requests.empty()) return Status::Ok();
    CNAKE_RETURN_IF_ERROR(sink(page));
    if (page.requests.size() < kTransferPage) return Status::Ok();
  }
}

Status WriteRequests(db::Connection& conn, const std::vector<RequestRow>& rows) {
  if (rows.empty()) return Status::Ok();
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      "CREATE OR REPLACE TEMP TABLE cnake_transfer_requests (batch_id VARCHAR, entry_id VARCHAR, "
      "attempt INTEGER, endpoint VARCHAR, http_status INTEGER, latency_ms DOUBLE, error_type "
      "VARCHAR, occurred_at VARCHAR, prompt_tokens BIGINT, completion_tokens BIGINT)"));
  {
    CNAKE_ASSIGN_OR_RETURN(db::Appender app,
                           db::Appender::Create(conn, "cnake_transfer_requests", "main", "temp"));
    for (const RequestRow& q : rows) {
      CNAKE_RETURN_IF_ERROR(app.Append(q.batch_id));
      CNAKE_RETURN_IF_ERROR(app.Append(q.entry_id));
      CNAKE_RETURN_IF_ERROR(app.Append(q.attempt));
      CNAKE_RETURN_IF_ERROR(app.Append(q.endpoint));
      CNAKE_RETURN_IF_ERROR(app.Append(q.http_status));
      CNAKE_RETURN_IF_ERROR(app.Append(q.latency_ms));
      CNAKE_RETURN_IF_ERROR(app.Append(q.error_type));
      CNAKE_RETURN_IF_ERROR(app.Append(OrNull(q.occurred_at)));
      CNAKE_RETURN_IF_ERROR(app.Append(q.prompt_tokens));
      CNAKE_RETURN_IF_ERROR(app.Append(q.completion_tokens));
      CNAKE_RETURN_IF_ERROR(app.EndRow());
    }
    CNAKE_RETURN_IF_ERROR(app.Close());
  }
  return conn.Execute(
      "INSERT INTO api_requests (batch_id, entry_id, attempt, endpoint, http_status, latency_ms, "
      "error_type, occurred_at, prompt_tokens, completion_tokens) SELECT s.batch_id, s.entry_id, "
      "s.attempt, s.endpoint, s.http_status, s.latency_ms, s.error_type, CAST(s.occurred_at AS "
      "TIMESTAMP), s.prompt_tokens, s.completion_tokens FROM "
      "temp.cnake_transfer_requests s WHERE NOT EXISTS (SELECT 1 FROM api_requests a WHERE "
      "a.batch_id IS NOT DISTINCT FROM s.batch_id AND a.entry_id IS NOT DISTINCT FROM s.entry_id "
      "AND a.attempt IS NOT DISTINCT FROM s.attempt AND a.endpoint IS NOT DISTINCT FROM "
      "s.endpoint AND a.occurred_at IS NOT DISTINCT FROM CAST(s.occurred_at AS TIMESTAMP))");
}

}  // namespace

Status DuckDbStore::WriteAll(const TransferChunk& chunk) {
  using Rows = std::vector<std::vector<std::optional<std::string>>>;
  Rows entries, results, batches, errors;
  for (const EntryRow& r : chunk.entries) {
    const Entry& e = r.entry;
    entries.push_back({e.id, e.code, e.description, e.metadata_json, e.tags_json,
                       r.processed ? "true" : "false", OrNull(r.state_text), e.python_id,
                       OrNull(r.created_at), OrNull(r.processed_at), e.batch_id, e.request_id,
                       std::to_string(e.attempts), std::to_string(e.submission_seq), e.last_error,
                       OrNull(r.updated_at), e.key_batch_id});
  }
  for (const ResultRecord& r : chunk.results) {
    results.push_back({r.id, r.code, r.cython_id, r.metadata_json, OrNull(r.generated_at)});
  }
  for (const BatchRow& b : chunk.batches) {
    const BatchRecord& r = b.record;
    batches.push_back({r.id, std::to_string(r.total), std::to_string(r.processed),
                       std::to_string(r.successful), std::to_string(r.failed), r.status_text,
                       b.options_json, OrNull(r.started_at), OrNull(r.completed_at),
                       OrNull(b.updated_at), b.stop_reason, Real(r.retry_after_wait_seconds),
                       Real(r.breaker_open_seconds)});
  }
  for (const ErrorRow& e : chunk.errors) {
    errors.push_back({e.id, e.entry_id, e.batch_id, e.message, e.error_type, Num(e.http_status),
                      Num(e.attempt), e.request_id, e.endpoint, OrNull(e.occurred_at)});
  }
  const std::string T = "TIMESTAMP", V = "VARCHAR", I = "INTEGER", J = "JSON", D = "DOUBLE";
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn_));
  CNAKE_RETURN_IF_ERROR(
      Replace(conn_,
              {Entries(),
               {"id", "code", "description", "metadata", "tags", "processed", "processing_status",
                "python_id", "created_at", "processed_at", "batch_id", "request_id", "attempts",
                "submission_seq", "last_error", "updated_at", "key_batch_id"},
               {V, V, V, J, J, "BOOLEAN", V, V, T, T, V, V, I, I, V, T, V}},
              entries));
  CNAKE_RETURN_IF_ERROR(Replace(
      conn_, {Results(), {"id", "code", "cython_id", "metadata", "generated_at"}, {V, V, V, J, T}},
      results));
  CNAKE_RETURN_IF_ERROR(
      Replace(conn_,
              {"batch_jobs",
               {"id", "total_entries", "processed_entries", "successful_entries", "failed_entries",
                "status", "options", "started_at", "completed_at", "updated_at", "stop_reason",
                "retry_after_wait_seconds", "breaker_open_seconds"},
               {V, I, I, I, I, V, J, T, T, T, V, D, D}},
              batches));
  CNAKE_RETURN_IF_ERROR(
      Replace(conn_,
              {"processing_errors",
               {"id", "entry_id", "batch_id", "error_message", "error_type", "http_status",
                "attempt", "request_id", "endpoint", "occurred_at"},
               {V, V, V, V, V, I, I, V, V, T}},
              errors));
  CNAKE_RETURN_IF_ERROR(WriteRequests(conn_, chunk.requests));
  return txn.Commit();
}

}  // namespace cnake
