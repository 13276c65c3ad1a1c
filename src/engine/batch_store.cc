#include "engine/batch_store.h"

#include <fmt/format.h>

#include "util/crash_point.h"

namespace cnake::engine {
namespace {

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

constexpr const char* kUnfinished =
    "coalesce(processing_status, 'pending') NOT IN ('completed', 'failed')";

Status ApplySubmitted(db::Connection& conn, const std::string& entries, const WriteGroup& g) {
  if (g.submitted.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement stmt,
      conn.Prepare(fmt::format("UPDATE {} SET processing_status = 'submitted', request_id = ?, "
                               "submission_seq = ?, attempts = ?, updated_at = now() "
                               "WHERE id = ? AND {}",
                               entries, kUnfinished)));
  for (const Submitted& s : g.submitted) {
    CNAKE_RETURN_IF_ERROR(stmt.BindAll(s.request_id, s.submission_seq, s.attempts, s.entry_id));
    CNAKE_RETURN_IF_ERROR(stmt.Run().status());
  }
  return Status::Ok();
}

Status ApplyStateChanges(db::Connection& conn, const std::string& entries, const WriteGroup& g) {
  if (g.state_changes.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement stmt,
      conn.Prepare(
          fmt::format("UPDATE {} SET processing_status = ?, attempts = ?, last_error = coalesce(?, "
                      "last_error), "
                      "request_id = CASE WHEN ? THEN NULL ELSE request_id END, submission_seq = ?, "
                      "updated_at = now() WHERE id = ? AND {}",
                      entries, kUnfinished)));
  for (const StateChange& c : g.state_changes) {
    CNAKE_RETURN_IF_ERROR(stmt.BindAll(c.state, c.attempts, c.last_error, c.clear_request_id,
                                       c.submission_seq, c.entry_id));
    CNAKE_RETURN_IF_ERROR(stmt.Run().status());
  }
  return Status::Ok();
}

Status ApplyCompletions(db::Connection& conn, const TableNames& t, const WriteGroup& g) {
  if (g.completions.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement del,
      conn.Prepare(fmt::format("DELETE FROM {} WHERE cython_id = ? OR id = ?", Q(t.results))));
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement ins,
      conn.Prepare(fmt::format("INSERT INTO {} (id, code, cython_id, metadata) VALUES (?, ?, ?, ?)",
                               Q(t.results))));
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement upd,
      conn.Prepare(fmt::format(
          "UPDATE {} SET processing_status = 'completed', processed = TRUE, python_id = ?, "
          "attempts = ?, last_error = NULL, processed_at = now(), updated_at = now() WHERE id = ?",
          Q(t.entries))));
  for (const Completion& c : g.completions) {
    const std::string python_id = PythonIdFor(c.entry_id);
    CNAKE_RETURN_IF_ERROR(del.BindAll(c.entry_id, python_id));
    CNAKE_RETURN_IF_ERROR(del.Run().status());
    CNAKE_RETURN_IF_ERROR(
        ins.BindAll(python_id, c.python, c.entry_id,
                    c.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    CNAKE_RETURN_IF_ERROR(ins.Run().status());
    CNAKE_RETURN_IF_ERROR(upd.BindAll(python_id, c.attempts, c.entry_id));
    CNAKE_RETURN_IF_ERROR(upd.Run().status());
  }
  return Status::Ok();
}

Status ApplyFailures(db::Connection& conn, const TableNames& t, const std::string& batch_id,
                     const WriteGroup& g) {
  if (g.failures.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement upd,
      conn.Prepare(fmt::format(
          "UPDATE {} SET processing_status = 'failed', processed = FALSE, attempts = ?, "
          "last_error = ?, processed_at = now(), updated_at = now() WHERE id = ?",
          Q(t.entries))));
  CNAKE_ASSIGN_OR_RETURN(
      db::PreparedStatement ins,
      conn.Prepare("INSERT INTO processing_errors (id, entry_id, batch_id, error_message, "
                   "error_type, http_status, attempt, request_id, endpoint) VALUES "
                   "(CAST(gen_random_uuid() AS VARCHAR), ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const Failure& f : g.failures) {
    std::string last_error = f.error_type + ": " + f.message;
    CNAKE_RETURN_IF_ERROR(upd.BindAll(f.attempts, last_error, f.entry_id));
    CNAKE_RETURN_IF_ERROR(upd.Run().status());
    std::optional<std::int64_t> status;
    if (f.http_status) status = f.http_status;
    std::optional<std::string> request_id;
    if (!f.request_id.empty()) request_id = f.request_id;
    CNAKE_RETURN_IF_ERROR(ins.BindAll(f.entry_id, batch_id, f.message, f.error_type, status,
                                      f.attempts, request_id, f.endpoint));
    CNAKE_RETURN_IF_ERROR(ins.Run().status());
  }
  return Status::Ok();
}

Status AppendRequestLogs(db::Connection& conn, const std::string& batch_id, const WriteGroup& g) {
  if (g.requests.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(db::Appender app, db::Appender::Create(conn, "api_requests"));
  for (const RequestLog& r : g.requests) {
    CNAKE_RETURN_IF_ERROR(app.Append(batch_id));
    CNAKE_RETURN_IF_ERROR(app.Append(r.entry_id));
    CNAKE_RETURN_IF_ERROR(app.Append(static_cast<std::int64_t>(r.attempt)));
    CNAKE_RETURN_IF_ERROR(app.Append(r.endpoint));
    if (r.http_status) {
      CNAKE_RETURN_IF_ERROR(app.Append(static_cast<std::int64_t>(r.http_status)));
    } else {
      CNAKE_RETURN_IF_ERROR(app.Append(std::nullopt));
    }
    CNAKE_RETURN_IF_ERROR(app.Append(r.latency_ms));
    if (r.error_type.empty()) {
      CNAKE_RETURN_IF_ERROR(app.Append(std::nullopt));
    } else {
      CNAKE_RETURN_IF_ERROR(app.Append(r.error_type));
    }
    // occurred_at: appender rows must give every column; use the wall clock.
    CNAKE_RETURN_IF_ERROR(app.AppendCurrentTimestamp());
    CNAKE_RETURN_IF_ERROR(app.EndRow());
  }
  return app.Close();
}

Status RecountBatch(db::Connection& conn, const TableNames& t, const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      auto n,
      conn.RunWith(fmt::format("UPDATE batch_jobs SET "
                               "processed_entries = c.done, successful_entries = c.ok, "
                               "failed_entries = c.bad, updated_at = now() FROM ("
                               "SELECT count(*) FILTER (WHERE processing_status IN ('completed', "
                               "'failed')) AS done, "
                               "count(*) FILTER (WHERE processing_status = 'completed') AS ok, "
                               "count(*) FILTER (WHERE processing_status = 'failed') AS bad "
                               "FROM {} WHERE batch_id = ?) c WHERE batch_jobs.id = ?",
                               Q(t.entries)),
                   batch_id, batch_id));
  (void)n;
  return Status::Ok();
}

}  // namespace

Result<ClaimResult> ClaimEntries(Store& store, const std::string& batch_id,
                                 const ClaimOptions& options) {
  const std::string entries = Q(store.tables().entries);
  const std::string states = options.retry_failed ? "('pending', 'failed')" : "('pending')";
  const std::string candidates = fmt::format(
      "SELECT id FROM {} WHERE coalesce(processing_status, 'pending') IN {} "
      "AND (batch_id IS NULL OR processing_status = 'failed') "
      "AND (? = '' OR starts_with(id, ?)) "
      "AND (? = '' OR list_contains(from_json(tags, '[\"VARCHAR\"]'), ?)) ORDER BY id LIMIT ?",
      entries, states);
  const auto& f = options.filter;
  ClaimResult result;
  if (options.dry_run) {
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult r,
                           store.connection().QueryWith(candidates, f.id_prefix, f.id_prefix, f.tag,
                                                        f.tag, options.limit));
    while (auto chunk = r.NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row, ++result.claimed) {
        if (result.sample_ids.size() < 20) result.sample_ids.emplace_back(chunk->GetString(0, row));
      }
    }
    return result;
  }
  db::Connection& conn = store.connection();
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
  CNAKE_ASSIGN_OR_RETURN(
      result.claimed,
      conn.RunWith(fmt::format("UPDATE {0} SET batch_id = ?, processing_status = 'pending', "
                               "processed = FALSE, request_id = NULL, attempts = 0, "
                               "submission_seq = coalesce(submission_seq, 0) + "
                               "CASE WHEN processing_status = 'failed' THEN 1 ELSE 0 END, "
                               "last_error = NULL, updated_at = now() WHERE id IN ({1})",
                               entries, candidates),
                   batch_id, f.id_prefix, f.id_prefix, f.tag, f.tag, options.limit));
  CNAKE_ASSIGN_OR_RETURN(
      auto n, conn.RunWith("UPDATE batch_jobs SET total_entries = ? WHERE id = ?", result.claimed,
                           batch_id));
  (void)n;
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  CrashPoint("after_claim");
  return result;
}

Result<std::vector<Entry>> LoadUnfinished(Store& store, const std::string& batch_id,
                                          BatchCursor& cursor, std::size_t limit) {
  std::vector<Entry> out;
  const std::string sql = fmt::format(
      "SELECT {} FROM {} WHERE batch_id = ? AND {} AND (request_id IS NOT NULL) = ? AND id > ? "
      "ORDER BY id LIMIT ?",
      EntrySelectList(), Q(store.tables().entries), kUnfinished);
  while (out.size() < limit && cursor.pass < 2) {
    const auto wanted = static_cast<std::int64_t>(limit - out.size());
    CNAKE_ASSIGN_OR_RETURN(
        db::QueryResult r,
        store.connection().QueryWith(sql, batch_id, cursor.pass == 0, cursor.after_id, wanted));
    std::int64_t got = 0;
    while (auto chunk = r.NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row, ++got) {
        out.push_back(ReadEntryRow(*chunk, row));
      }
    }
    if (got > 0) cursor.after_id = out.back().id;
    if (got < wanted) {
      ++cursor.pass;
      cursor.after_id.clear();
    }
  }
  return out;
}

Status CommitGroup(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                   const WriteGroup& group) {
  if (group.empty()) return Status::Ok();
  {
    CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
    const std::string entries = Q(tables.entries);
    CNAKE_RETURN_IF_ERROR(ApplySubmitted(conn, entries, group));
    CNAKE_RETURN_IF_ERROR(ApplyStateChanges(conn, entries, group));
    CNAKE_RETURN_IF_ERROR(ApplyCompletions(conn, tables, group));
    if (!group.completions.empty()) CrashPoint("mid_result_group");
    CNAKE_RETURN_IF_ERROR(ApplyFailures(conn, tables, batch_id, group));
    if (!group.completions.empty() || !group.failures.empty()) {
      CNAKE_RETURN_IF_ERROR(RecountBatch(conn, tables, batch_id));
    }
    CNAKE_RETURN_IF_ERROR(txn.Commit());
  }
  // The request log is for metrics; it need not be atomic with the results.
  return AppendRequestLogs(conn, batch_id, group);
}

Result<BatchCounts> CountBatch(db::Connection& conn, const TableNames& tables,
                               const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.QueryWith(fmt::format("SELECT coalesce(processing_status, 'pending'), count(*) FROM {} "
                                 "WHERE batch_id = ? GROUP BY ALL",
                                 Q(tables.entries)),
                     batch_id));
  BatchCounts c;
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      std::string_view state = chunk->GetString(0, row);
      std::int64_t n = chunk->GetInt64(1, row);
      c.total += n;
      if (state == "pending")
        c.pending += n;
      else if (state == "submitted")
        c.submitted += n;
      else if (state == "processing")
        c.processing += n;
      else if (state == "retrying")
        c.retrying += n;
      else if (state == "completed")
        c.completed += n;
      else if (state == "failed")
        c.failed += n;
    }
  }
  return c;
}

Result<std::optional<nlohmann::json>> BatchOptions(Store& store, const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      store.connection().QueryWith("SELECT CAST(options AS VARCHAR) FROM batch_jobs WHERE id = ?",
                                   batch_id));
  auto chunk = r.NextChunk();
  if (!chunk || chunk->size() == 0) return std::optional<nlohmann::json>();
  auto text = chunk->GetOptString(0, 0);
  return std::optional<nlohmann::json>(text ? nlohmann::json::parse(*text, nullptr, false)
                                            : nlohmann::json::object());
}

}  // namespace cnake::engine
