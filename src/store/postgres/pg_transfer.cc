// PostgresStore::ReadAll and WriteAll: every row of the four tables as it is
// stored (store/transfer.h), for moving a database between stores.
#include <fmt/format.h>

#include "store/postgres/pg_batch_sql.h"
#include "store/postgres/postgres_store.h"

namespace cnake {

using pg::Args;

namespace {

using Column = std::vector<std::optional<std::string>>;

std::string Q(const std::string& name) { return pg::QuoteIdentifier(name); }

// A timestamp as ISO 8601 UTC text with microseconds.
std::string Micros(const std::string& column) {
  return fmt::format("to_char({}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", column);
}

std::optional<std::string> OrNull(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}
std::optional<std::string> Int(std::optional<std::int64_t> v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}
std::optional<std::string> Double(std::optional<double> v) {
  return v ? std::optional<std::string>(fmt::format("{:.17g}", *v)) : std::nullopt;
}
std::optional<std::int64_t> OptInt(const pg::QueryResult& r, int row, int col) {
  return r.IsNull(row, col) ? std::nullopt : std::optional<std::int64_t>(r.GetInt64(row, col));
}

// Reads `table` in pages by id; `read` appends one row of the page to the chunk.
Status ReadPaged(PostgresStore& store, const std::string& select_from,
                 const std::function<void(const pg::QueryResult&, int, TransferChunk&)>& read,
                 const TransferSink& sink) {
  std::optional<std::string> after;
  while (true) {
    CNAKE_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        store.Read(select_from + " WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2",
                   Args(after, kTransferPage)));
    if (r.rows() == 0) return Status::Ok();
    TransferChunk chunk;
    for (int i = 0; i < r.rows(); ++i) read(r, i, chunk);
    CNAKE_RETURN_IF_ERROR(sink(chunk));
    if (r.rows() < static_cast<int>(kTransferPage)) return Status::Ok();
    after = std::string(r.Get(r.rows() - 1, 0));
  }
}

// The request log in pages, keyed by (occurred_at, ctid): it has no id, and
// its rows are never updated, so ctid is stable while it is read.
Status ReadRequests(PostgresStore& store, const TransferSink& sink) {
  std::optional<std::string> after_time, after_tid;
  while (true) {
    CNAKE_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        store.Read("SELECT batch_id, entry_id, endpoint, error_type, attempt, http_status, "
                   "latency_ms, coalesce(" +
                       Micros("occurred_at") +
                       ", ''), occurred_at::text, ctid::text, prompt_tokens, completion_tokens "
                       "FROM api_requests WHERE $1::text IS "
                       "NULL OR (occurred_at, ctid) > ($1::timestamptz, $2::tid) ORDER BY "
                       "occurred_at, ctid LIMIT $3",
                   Args(after_time, after_tid, kTransferPage)));
    if (r.rows() == 0) return Status::Ok();
    TransferChunk page;
    for (int i = 0; i < r.rows(); ++i) {
      RequestRow q;
      q.batch_id = r.GetOpt(i, 0);
      q.entry_id = r.GetOpt(i, 1);
      q.endpoint = r.GetOpt(i, 2);
      q.error_type = r.GetOpt(i, 3);
      q.attempt = OptInt(r, i, 4);
      q.http_status = OptInt(r, i, 5);
      if (!r.IsNull(i, 6)) q.latency_ms = r.GetDouble(i, 6);
      q.occurred_at = std::string(r.Get(i, 7));
      q.prompt_tokens = OptInt(r, i, 10);
      q.completion_tokens = OptInt(r, i, 11);
      page.requests.push_back(std::move(q));
    }
    CNAKE_RETURN_IF_ERROR(sink(page));
    if (r.rows() < static_cast<int>(kTransferPage)) return Status::Ok();
    after_time = r.GetOpt(r.rows() - 1, 8);
    after_tid = r.GetOpt(r.rows() - 1, 9);
  }
}

}  // namespace

Status PostgresStore::ReadAll(const TransferSink& sink) {
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      *this,
      fmt::format("SELECT {}, coalesce(processing_status, ''), coalesce(processed, false), "
                  "coalesce({}, ''), coalesce({}, ''), coalesce({}, '') FROM {} x",
                  pg::EntryColumns("x"), Micros("created_at"), Micros("processed_at"),
                  Micros("updated_at"), Q(options_.tables.entries)),
      [](const pg::QueryResult& r, int i, TransferChunk& c) {
        EntryRow row;
        row.entry = pg::ReadEntry(r, i);
        row.state_text = std::string(r.Get(i, 13));
        row.processed = r.GetBool(i, 14);
        row.created_at = std::string(r.Get(i, 15));
        row.processed_at = std::string(r.Get(i, 16));
        row.updated_at = std::string(r.Get(i, 17));
        c.entries.push_back(std::move(row));
      },
      sink));
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      *this,
      fmt::format("SELECT id, code, cython_id, metadata::text, coalesce({}, '') FROM {}",
                  Micros("generated_at"), Q(options_.tables.results)),
      [](const pg::QueryResult& r, int i, TransferChunk& c) {
        c.results.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), r.GetOpt(i, 2),
                             r.GetOpt(i, 3), std::string(r.Get(i, 4))});
      },
      sink));
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      *this,
      fmt::format("SELECT id, status, total_entries, processed_entries, successful_entries, "
                  "failed_entries, coalesce({}, ''), coalesce({}, ''), coalesce({}, ''), "
                  "options::text, stop_reason, retry_after_wait_seconds, breaker_open_seconds "
                  "FROM batch_jobs",
                  Micros("started_at"), Micros("completed_at"), Micros("updated_at")),
      [](const pg::QueryResult& r, int i, TransferChunk& c) {
        BatchRow b;
        b.record.id = std::string(r.Get(i, 0));
        b.record.status_text = std::string(r.Get(i, 1));
        b.record.status = ParseBatchStatus(b.record.status_text);
        b.record.total = r.GetInt64(i, 2);
        b.record.processed = r.GetInt64(i, 3);
        b.record.successful = r.GetInt64(i, 4);
        b.record.failed = r.GetInt64(i, 5);
        b.record.started_at = std::string(r.Get(i, 6));
        b.record.completed_at = std::string(r.Get(i, 7));
        b.updated_at = std::string(r.Get(i, 8));
        b.options_json = r.GetOpt(i, 9);
        b.stop_reason = r.GetOpt(i, 10);
        if (!r.IsNull(i, 11)) b.record.retry_after_wait_seconds = r.GetDouble(i, 11);
        if (!r.IsNull(i, 12)) b.record.breaker_open_seconds = r.GetDouble(i, 12);
        c.batches.push_back(std::move(b));
      },
      sink));
  CNAKE_RETURN_IF_ERROR(ReadPaged(
      *this,
      fmt::format("SELECT id, entry_id, batch_id, error_message, error_type, http_status, attempt, "
                  "request_id, endpoint, coalesce({}, '') FROM processing_errors",
                  Micros("occurred_at")),
      [](const pg::QueryResult& r, int i, TransferChunk& c) {
        ErrorRow e;
        e.id = std::string(r.Get(i, 0));
        e.entry_id = std::string(r.Get(i, 1));
        e.batch_id = r.GetOpt(i, 2);
        e.message = r.GetOpt(i, 3);
        e.error_type = r.GetOpt(i, 4);
        e.http_status = OptInt(r, i, 5);
        e.attempt = OptInt(r, i, 6);
        e.request_id = r.GetOpt(i, 7);
        e.endpoint = r.GetOpt(i, 8);
        e.occurred_at = std::string(r.Get(i, 9));
        c.errors.push_back(std::move(e));
      },
      sink));
  return ReadRequests(*this, sink);
}

namespace {

Status WriteEntries(pg::Connection& conn, const std::string& table,
                    const std::vector<EntryRow>& rows) {
  if (rows.empty()) return Status::Ok();
  Column id, code, desc, meta, tags, processed, status, python_id, created, processed_at, batch,
      request, attempts, seq, error, updated, key_batch;
  for (const EntryRow& r : rows) {
    const Entry& e = r.entry;
    id.push_back(e.id);
    code.push_back(e.code);
    desc.push_back(e.description);
    meta.push_back(e.metadata_json);
    tags.push_back(e.tags_json);
    processed.push_back(r.processed ? "true" : "false");
    status.push_back(OrNull(r.state_text));
    python_id.push_back(e.python_id);
    created.push_back(OrNull(r.created_at));
    processed_at.push_back(OrNull(r.processed_at));
    batch.push_back(e.batch_id);
    request.push_back(e.request_id);
    attempts.push_back(std::to_string(e.attempts));
    seq.push_back(std::to_string(e.submission_seq));
    error.push_back(e.last_error);
    updated.push_back(OrNull(r.updated_at));
    key_batch.push_back(e.key_batch_id);
  }
  CNAKE_RETURN_IF_ERROR(
      conn.Execute(fmt::format("DELETE FROM {} WHERE id = ANY($1::text[])", table), Args(id)));
  return conn.Execute(
      fmt::format(
          "INSERT INTO {} (id, code, description, metadata, tags, processed, processing_status, "
          "python_id, created_at, processed_at, batch_id, request_id, attempts, submission_seq, "
          "last_error, updated_at, key_batch_id) SELECT a, b, c, d::json, e::json, f, g, h, i, "
          "j, k, l, m, n, o, p, q FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
          "$5::text[], "
          "$6::boolean[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], "
          "$11::text[], $12::text[], $13::integer[], $14::integer[], $15::text[], "
          "$16::timestamptz[], $17::text[]) AS s(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, "
          "q)",
          table),
      Args(id, code, desc, meta, tags, processed, status, python_id, created, processed_at, batch,
           request, attempts, seq, error, updated, key_batch));
}

Status WriteResults(pg::Connection& conn, const std::string& table,
                    const std::vector<ResultRecord>& rows) {
  if (rows.empty()) return Status::Ok();
  Column id, code, cython, meta, generated;
  for (const ResultRecord& r : rows) {
    id.push_back(r.id);
    code.push_back(r.code);
    cython.push_back(r.cython_id);
    meta.push_back(r.metadata_json);
    generated.push_back(OrNull(r.generated_at));
  }
  CNAKE_RETURN_IF_ERROR(
      conn.Execute(fmt::format("DELETE FROM {} WHERE id = ANY($1::text[])", table), Args(id)));
  return conn.Execute(
      fmt::format("INSERT INTO {} (id, code, cython_id, metadata, generated_at) SELECT a, b, c, "
                  "d::json, e FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
                  "$5::timestamptz[]) AS s(a, b, c, d, e)",
                  table),
      Args(id, code, cython, meta, generated));
}

Status WriteBatches(pg::Connection& conn, const std::vector<BatchRow>& rows) {
  if (rows.empty()) return Status::Ok();
  Column id, total, processed, ok, failed, status, options, started, completed, updated, reason,
      waits, open;
  for (const BatchRow& b : rows) {
    const BatchRecord& r = b.record;
    id.push_back(r.id);
    total.push_back(std::to_string(r.total));
    processed.push_back(std::to_string(r.processed));
    ok.push_back(std::to_string(r.successful));
    failed.push_back(std::to_string(r.failed));
    status.push_back(r.status_text);
    options.push_back(b.options_json);
    started.push_back(OrNull(r.started_at));
    completed.push_back(OrNull(r.completed_at));
    updated.push_back(OrNull(b.updated_at));
    reason.push_back(b.stop_reason);
    waits.push_back(Double(r.retry_after_wait_seconds));
    open.push_back(Double(r.breaker_open_seconds));
  }
  CNAKE_RETURN_IF_ERROR(
      conn.Execute("DELETE FROM batch_jobs WHERE id = ANY($1::text[])", Args(id)));
  return conn.Execute(
      "INSERT INTO batch_jobs (id, total_entries, processed_entries, successful_entries, "
      "failed_entries, status, options, started_at, completed_at, updated_at, stop_reason, "
      "retry_after_wait_seconds, breaker_open_seconds) SELECT a, b, c, d, e, f, g::json, h, i, "
      "j, k, l, m FROM unnest($1::text[], $2::integer[], $3::integer[], $4::integer[], "
      "$5::integer[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], "
      "$10::timestamptz[], $11::text[], $12::double precision[], $13::double precision[]) AS "
      "s(a, b, c, d, e, f, g, h, i, j, k, l, m)",
      Args(id, total, processed, ok, failed, status, options, started, completed, updated, reason,
           waits, open));
}

Status WriteErrors(pg::Connection& conn, const std::vector<ErrorRow>& rows) {
  if (rows.empty()) return Status::Ok();
  Column id, entry, batch, message, type, status, attempt, request, endpoint, occurred;
  for (const ErrorRow& e : rows) {
    id.push_back(e.id);
    entry.push_back(e.entry_id);
    batch.push_back(e.batch_id);
    message.push_back(e.message);
    type.push_back(e.error_type);
    status.push_back(Int(e.http_status));
    attempt.push_back(Int(e.attempt));
    request.push_back(e.request_id);
    endpoint.push_back(e.endpoint);
    occurred.push_back(OrNull(e.occurred_at));
  }
  CNAKE_RETURN_IF_ERROR(
      conn.Execute("DELETE FROM processing_errors WHERE id = ANY($1::text[])", Args(id)));
  return conn.Execute(
      "INSERT INTO processing_errors (id, entry_id, batch_id, error_message, error_type, "
      "http_status, attempt, request_id, endpoint, occurred_at) SELECT a, b, c, d, e, f, g, h, "
      "i, j FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
      "$6::integer[], $7::integer[], $8::text[], $9::text[], $10::timestamptz[]) AS "
      "s(a, b, c, d, e, f, g, h, i, j)",
      Args(id, entry, batch, message, type, status, attempt, request, endpoint, occurred));
}

// Rows equal to one already there are skipped: copying twice adds nothing.
Status WriteRequests(pg::Connection& conn, const std::vector<RequestRow>& rows) {
  if (rows.empty()) return Status::Ok();
  Column batch, entry, attempt, endpoint, status, latency, type, occurred, prompt, completion;
  for (const RequestRow& q : rows) {
    prompt.push_back(Int(q.prompt_tokens));
    completion.push_back(Int(q.completion_tokens));
    batch.push_back(q.batch_id);
    entry.push_back(q.entry_id);
    attempt.push_back(Int(q.attempt));
    endpoint.push_back(q.endpoint);
    status.push_back(Int(q.http_status));
    latency.push_back(Double(q.latency_ms));
    type.push_back(q.error_type);
    occurred.push_back(OrNull(q.occurred_at));
  }
  return conn.Execute(
      "INSERT INTO api_requests (batch_id, entry_id, attempt, endpoint, http_status, latency_ms, "
      "error_type, occurred_at, prompt_tokens, completion_tokens) SELECT a, b, c, d, e, f, g, h, "
      "i, j FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::integer[], "
      "$6::double precision[], $7::text[], $8::timestamptz[], $9::bigint[], $10::bigint[]) AS "
      "s(a, b, c, d, e, f, g, h, i, j) WHERE NOT EXISTS (SELECT 1 FROM "
      "api_requests x WHERE x.batch_id IS NOT DISTINCT FROM s.a AND x.entry_id IS NOT DISTINCT "
      "FROM s.b AND x.attempt IS NOT DISTINCT FROM s.c AND x.endpoint IS NOT DISTINCT FROM s.d "
      "AND x.occurred_at IS NOT DISTINCT FROM s.h)",
      Args(batch, entry, attempt, endpoint, status, latency, type, occurred, prompt, completion));
}

}  // namespace

Status PostgresStore::WriteAll(const TransferChunk& chunk) {
  CNAKE_RETURN_IF_ERROR(EnsureConnected());
  CNAKE_ASSIGN_OR_RETURN(pg::Transaction txn, pg::Transaction::Begin(conn_));
  CNAKE_RETURN_IF_ERROR(WriteEntries(conn_, Q(options_.tables.entries), chunk.entries));
  CNAKE_RETURN_IF_ERROR(WriteResults(conn_, Q(options_.tables.results), chunk.results));
  CNAKE_RETURN_IF_ERROR(WriteBatches(conn_, chunk.batches));
  CNAKE_RETURN_IF_ERROR(WriteErrors(conn_, chunk.errors));
  CNAKE_RETURN_IF_ERROR(WriteRequests(conn_, chunk.requests));
  return txn.Commit();
}

}  // namespace cnake
