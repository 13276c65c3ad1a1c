#include "engine/batch_store.h"

#include <fmt/format.h>

#include <unordered_map>

#include "util/crash_point.h"

namespace cnake::engine {
namespace {

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

constexpr const char* kUnfinished =
    "coalesce(processing_status, 'pending') NOT IN ('completed', 'failed')";

// CommitGroup writes set-based: the group's rows go into a per-connection
// temporary table through an appender, then one statement per kind of change
// joins it with the entries table. Per-row prepared statements cost about a
// scan of the entries table each (DuckDB does not turn a bound parameter into
// an index lookup), so a group of 64 results on 100,000 entries took ~0.7 s;
// set-based it takes a few statements whose cost does not grow with the table
// (the join's dynamic filter on the ids limits the scan to the row groups the
// ids fall in). Figures: bench/store_bench, docs/benchmarks.md.

// The net effect of a group's Submitted and StateChange rows on one entry,
// applied in the order the per-row statements had: all submissions first,
// then the state changes in order.
struct Progress {
  std::string entry_id;
  std::string state;
  bool submitted = false;
  std::string request_id;
  bool clear_request_id = false;
  int submission_seq = 0;
  int attempts = 0;
  std::optional<std::string> last_error;
};

std::vector<Progress> FoldProgress(const WriteGroup& g) {
  std::vector<Progress> out;
  std::unordered_map<std::string, std::size_t> index;
  auto slot = [&](const std::string& id) -> Progress& {
    auto [it, inserted] = index.try_emplace(id, out.size());
    if (inserted) out.push_back({.entry_id = id});
    return out[it->second];
  };
  for (const Submitted& s : g.submitted) {
    Progress& p = slot(s.entry_id);
    p.state = "submitted";
    p.submitted = true;
    p.request_id = s.request_id;
    p.clear_request_id = false;
    p.submission_seq = s.submission_seq;
    p.attempts = s.attempts;
  }
  for (const StateChange& c : g.state_changes) {
    Progress& p = slot(c.entry_id);
    p.state = c.state;
    p.attempts = c.attempts;
    p.submission_seq = c.submission_seq;
    if (c.last_error) p.last_error = c.last_error;
    if (c.clear_request_id) p.clear_request_id = true;
  }
  return out;
}

// One temporary table holds the whole group; `kind` says which rows are
// progress (p), completions (c) or failures (f). It is per connection, so
// concurrent writers on other connections do not see each other's rows.
constexpr const char* kGroupTable =
    "CREATE TEMP TABLE IF NOT EXISTS cnake_group (kind VARCHAR, entry_id VARCHAR, "
    "state VARCHAR, submitted BOOLEAN, request_id VARCHAR, clear_request_id BOOLEAN, "
    "submission_seq INTEGER, attempts INTEGER, last_error VARCHAR, python_id VARCHAR, "
    "python VARCHAR, metadata VARCHAR, error_type VARCHAR, message VARCHAR, "
    "http_status INTEGER, endpoint VARCHAR); DELETE FROM temp.cnake_group;";

// Appends one cnake_group row; absent fields are NULL.
struct GroupRow {
  const char* kind;
  const std::string* entry_id;
  const Progress* progress = nullptr;
  const Completion* completion = nullptr;
  const Failure* failure = nullptr;
};

Status AppendNullable(db::Appender& app, const std::string* v) {
  return v ? app.Append(*v) : app.Append(std::nullopt);
}
Status AppendNullable(db::Appender& app, std::optional<std::int64_t> v) {
  return v ? app.Append(*v) : app.Append(std::nullopt);
}
Status AppendNullable(db::Appender& app, std::optional<bool> v) {
  return v ? app.Append(*v) : app.Append(std::nullopt);
}

Status AppendGroupRow(db::Appender& app, const GroupRow& r) {
  const Progress* p = r.progress;
  const Completion* c = r.completion;
  const Failure* f = r.failure;
  std::optional<std::int64_t> attempts;
  if (p) attempts = p->attempts;
  if (c) attempts = c->attempts;
  if (f) attempts = f->attempts;
  std::string python_id, metadata, last_error;
  if (c) {
    python_id = PythonIdFor(c->entry_id);
    metadata = c->metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (f) last_error = f->error_type + ": " + f->message;
  if (p && p->last_error) last_error = *p->last_error;
  const bool has_last_error = f || (p && p->last_error);
  CNAKE_RETURN_IF_ERROR(app.Append(std::string_view(r.kind)));
  CNAKE_RETURN_IF_ERROR(app.Append(*r.entry_id));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, p ? &p->state : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, p ? std::optional<bool>(p->submitted) : std::nullopt));
  const std::string* request_id = p ? &p->request_id : nullptr;
  if (f && !f->request_id.empty()) request_id = &f->request_id;
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, request_id));
  CNAKE_RETURN_IF_ERROR(
      AppendNullable(app, p ? std::optional<bool>(p->clear_request_id) : std::nullopt));
  CNAKE_RETURN_IF_ERROR(
      AppendNullable(app, p ? std::optional<std::int64_t>(p->submission_seq) : std::nullopt));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, attempts));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, has_last_error ? &last_error : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, c ? &python_id : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, c ? &c->python : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, c ? &metadata : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, f ? &f->error_type : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, f ? &f->message : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendNullable(
      app, f && f->http_status ? std::optional<std::int64_t>(f->http_status) : std::nullopt));
  CNAKE_RETURN_IF_ERROR(AppendNullable(app, f ? &f->endpoint : nullptr));
  return app.EndRow();
}

Status StageGroup(db::Connection& conn, const std::vector<Progress>& progress,
                  const WriteGroup& g) {
  CNAKE_RETURN_IF_ERROR(conn.Execute(kGroupTable));
  CNAKE_ASSIGN_OR_RETURN(db::Appender app,
                         db::Appender::Create(conn, "cnake_group", "main", "temp"));
  for (const Progress& p : progress) {
    CNAKE_RETURN_IF_ERROR(
        AppendGroupRow(app, {.kind = "p", .entry_id = &p.entry_id, .progress = &p}));
  }
  for (const Completion& c : g.completions) {
    CNAKE_RETURN_IF_ERROR(
        AppendGroupRow(app, {.kind = "c", .entry_id = &c.entry_id, .completion = &c}));
  }
  for (const Failure& f : g.failures) {
    CNAKE_RETURN_IF_ERROR(
        AppendGroupRow(app, {.kind = "f", .entry_id = &f.entry_id, .failure = &f}));
  }
  return app.Close();
}

Result<std::int64_t> Run(db::Connection& conn, const std::string& sql) { return conn.RunWith(sql); }

// Submissions and state changes: entries that are not final yet.
Status ApplyProgress(db::Connection& conn, const std::string& entries) {
  return Run(conn,
             fmt::format("UPDATE {0} SET processing_status = p.state, attempts = p.attempts, "
                         "last_error = coalesce(p.last_error, {0}.last_error), "
                         "request_id = CASE WHEN p.clear_request_id THEN NULL WHEN p.submitted "
                         "THEN p.request_id ELSE {0}.request_id END, "
                         "submission_seq = p.submission_seq, updated_at = now() "
                         "FROM temp.cnake_group p WHERE p.kind = 'p' AND {0}.id = p.entry_id "
                         "AND {1}",
                         entries, kUnfinished))
      .status();
}

// Results replace any earlier result row of the entry. Returns how many
// entries went from unfinished to completed: the final updates only touch
// unfinished entries (the engine only holds those), so the batch counters
// move by exact deltas in the same transaction and stay equal to a recount of
// the entries, without scanning the batch on every commit.
Result<std::int64_t> ApplyCompletions(db::Connection& conn, const TableNames& t) {
  const std::string results = Q(t.results);
  CNAKE_RETURN_IF_ERROR(
      Run(conn, fmt::format("DELETE FROM {0} WHERE id IN (SELECT python_id FROM temp.cnake_group "
                            "WHERE kind = 'c') OR cython_id IN (SELECT entry_id FROM "
                            "temp.cnake_group WHERE kind = 'c')",
                            results))
          .status());
  CNAKE_RETURN_IF_ERROR(
      Run(conn, fmt::format("INSERT INTO {} (id, code, cython_id, metadata) SELECT python_id, "
                            "python, entry_id, metadata FROM temp.cnake_group WHERE kind = 'c'",
                            results))
          .status());
  return Run(conn, fmt::format("UPDATE {0} SET processing_status = 'completed', processed = TRUE, "
                               "python_id = c.python_id, attempts = c.attempts, last_error = NULL, "
                               "processed_at = now(), updated_at = now() FROM temp.cnake_group c "
                               "WHERE c.kind = 'c' AND {0}.id = c.entry_id AND {1}",
                               Q(t.entries), kUnfinished));
}

// Returns how many entries went from unfinished to failed (see above).
Result<std::int64_t> ApplyFailures(db::Connection& conn, const TableNames& t,
                                   const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t changed,
      Run(conn, fmt::format("UPDATE {0} SET processing_status = 'failed', processed = FALSE, "
                            "attempts = f.attempts, last_error = f.last_error, processed_at = "
                            "now(), updated_at = now() FROM temp.cnake_group f "
                            "WHERE f.kind = 'f' AND {0}.id = f.entry_id AND {1}",
                            Q(t.entries), kUnfinished)));
  CNAKE_ASSIGN_OR_RETURN(
      auto n, conn.RunWith("INSERT INTO processing_errors (id, entry_id, batch_id, error_message, "
                           "error_type, http_status, attempt, request_id, endpoint) SELECT "
                           "CAST(gen_random_uuid() AS VARCHAR), entry_id, ?, message, error_type, "
                           "http_status, attempts, request_id, endpoint FROM temp.cnake_group "
                           "WHERE kind = 'f'",
                           batch_id));
  (void)n;
  return changed;
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
  const std::vector<Progress> progress = FoldProgress(group);
  if (!progress.empty() || !group.completions.empty() || !group.failures.empty()) {
    CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
    CNAKE_RETURN_IF_ERROR(StageGroup(conn, progress, group));
    if (!progress.empty()) CNAKE_RETURN_IF_ERROR(ApplyProgress(conn, Q(tables.entries)));
    std::int64_t completed = 0, failed = 0;
    if (!group.completions.empty()) {
      CNAKE_ASSIGN_OR_RETURN(completed, ApplyCompletions(conn, tables));
      CrashPoint("mid_result_group");
    }
    if (!group.failures.empty()) {
      CNAKE_ASSIGN_OR_RETURN(failed, ApplyFailures(conn, tables, batch_id));
    }
    if (completed + failed > 0) {
      CNAKE_ASSIGN_OR_RETURN(
          auto n, conn.RunWith("UPDATE batch_jobs SET processed_entries = coalesce("
                               "processed_entries, 0) + ?, successful_entries = coalesce("
                               "successful_entries, 0) + ?, failed_entries = coalesce("
                               "failed_entries, 0) + ?, updated_at = now() WHERE id = ?",
                               completed + failed, completed, failed, batch_id));
      (void)n;
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
