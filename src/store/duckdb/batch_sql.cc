#include "store/duckdb/batch_sql.h"

#include <fmt/format.h>

#include "store/duckdb/duckdb_store.h"
#include "store/duckdb/entry_changes.h"
#include "util/crash_point.h"

namespace cnake {
namespace {

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

// CommitGroup writes set-based: the group's net effect on each entry goes
// into a per-connection temporary table through an appender, one UPDATE per
// kind of change applies it to the entries table in place (by literal ids, or
// joined with that table: see ApplyEntryChanges), and one INSERT per target
// table adds the result and error rows. Per-row prepared statements cost
// about a scan of the entries table each (DuckDB does not turn a bound
// parameter into an index lookup), so a group of 64 results on 100,000
// entries took ~0.7 s; set-based the cost is a few statements whose cost does
// not grow with the table (the id filter limits the scan to the row groups
// the ids fall in). Figures:
// bench/store_bench, docs/benchmarks.md.

// Per connection, so writers on other connections do not see each other's rows.
// Replaced, not emptied, on every commit: DuckDB's row-count estimate of a
// table counts deleted rows until a checkpoint (temp tables never get one), so
// an emptied-and-refilled group table looked bigger with every commit until
// the optimizer built the join's hash table from the whole entries table
// instead (about 120 entries/s at 30,000 entries, falling as the run went on).
constexpr const char* kGroupTable =
    "CREATE OR REPLACE TEMP TABLE cnake_group (entry_id VARCHAR, kind VARCHAR, "
    "state VARCHAR, submitted BOOLEAN, request_id VARCHAR, clear_request_id BOOLEAN, "
    "submission_seq INTEGER, attempts INTEGER, last_error VARCHAR, python_id VARCHAR, "
    "python VARCHAR, metadata VARCHAR, error_type VARCHAR, message VARCHAR, "
    "http_status INTEGER, error_request_id VARCHAR, endpoint VARCHAR)";

Status AppendOrNull(db::Appender& app, const std::string* v) {
  return v ? app.Append(*v) : app.Append(std::nullopt);
}

Status AppendChange(db::Appender& app, const EntryChange& e) {
  const Completion* c = e.completion;
  const Failure* f = e.failure;
  CNAKE_RETURN_IF_ERROR(app.Append(e.entry_id));
  CNAKE_RETURN_IF_ERROR(app.Append(ChangeKindCode(e.kind)));
  CNAKE_RETURN_IF_ERROR(app.Append(EntryStateName(e.state)));
  CNAKE_RETURN_IF_ERROR(app.Append(e.submitted));
  CNAKE_RETURN_IF_ERROR(app.Append(e.request_id));
  CNAKE_RETURN_IF_ERROR(app.Append(e.clear_request_id));
  CNAKE_RETURN_IF_ERROR(app.Append(e.submission_seq));
  CNAKE_RETURN_IF_ERROR(app.Append(e.attempts));
  CNAKE_RETURN_IF_ERROR(app.Append(e.last_error));
  if (c) {
    CNAKE_RETURN_IF_ERROR(app.Append(PythonIdFor(c->entry_id)));
    CNAKE_RETURN_IF_ERROR(app.Append(c->python));
    CNAKE_RETURN_IF_ERROR(
        app.Append(c->metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  } else {
    for (int i = 0; i < 3; ++i) CNAKE_RETURN_IF_ERROR(app.Append(std::nullopt));
  }
  CNAKE_RETURN_IF_ERROR(AppendOrNull(app, f ? &f->error_type : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendOrNull(app, f ? &f->message : nullptr));
  if (f && f->http_status) {
    CNAKE_RETURN_IF_ERROR(app.Append(static_cast<std::int64_t>(f->http_status)));
  } else {
    CNAKE_RETURN_IF_ERROR(app.Append(std::nullopt));
  }
  CNAKE_RETURN_IF_ERROR(AppendOrNull(app, f && !f->request_id.empty() ? &f->request_id : nullptr));
  CNAKE_RETURN_IF_ERROR(AppendOrNull(app, f ? &f->endpoint : nullptr));
  return app.EndRow();
}

Status StageGroup(db::Connection& conn, const std::vector<EntryChange>& changes) {
  CNAKE_RETURN_IF_ERROR(conn.Execute(kGroupTable));
  CNAKE_ASSIGN_OR_RETURN(db::Appender app,
                         db::Appender::Create(conn, "cnake_group", "main", "temp"));
  for (const EntryChange& e : changes) CNAKE_RETURN_IF_ERROR(AppendChange(app, e));
  return app.Close();
}

// How many entries the group took from unfinished to completed / failed.
struct Finished {
  std::int64_t completed = 0, failed = 0;
};

// The changes of one kind, applied by one UPDATE each so that its row count
// is the number of transitions of that kind.
std::vector<EntryChange> OfKind(const std::vector<EntryChange>& changes, ChangeKind kind) {
  std::vector<EntryChange> out;
  for (const EntryChange& e : changes) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

// Applies changes that all have the same kind; returns how many entries it
// moved. With bytewise ids the values and ids go in as literals (no join, see
// entry_changes.h). Should that UPDATE reach fewer entries than it was given
// (an id that compares in a way the bounds did not foresee, or an entry
// finished meanwhile), the join form runs as well: its values are absolute,
// so entries already updated get the same values again, and entries the
// first UPDATE finished are no longer unfinished, so nothing counts twice.
// (For kNotFinal changes, which stay unfinished, the count is not a
// transition count and nobody uses it.)
Result<std::int64_t> ApplyChangesOfOneKind(db::Connection& conn, const std::string& entries,
                                           const std::vector<EntryChange>& changes, ChangeKind kind,
                                           bool bytewise_ids) {
  std::int64_t updated = 0;
  if (bytewise_ids) {
    std::vector<std::string_view> ids;
    ids.reserve(changes.size());
    for (const EntryChange& e : changes) ids.push_back(e.entry_id);
    const auto literal = LiteralFields(entries, changes);
    const auto filter = IdFilterSql(entries + ".id", ids);
    if (literal && filter) {
      CNAKE_ASSIGN_OR_RETURN(updated,
                             conn.RunWith(EntryUpdateSql(entries, *literal, "WHERE " + *filter)));
      if (updated == static_cast<std::int64_t>(changes.size())) return updated;
    }
  }
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t joined,
      conn.RunWith(EntryUpdateSql(entries, StagedFields(),
                                  fmt::format("FROM temp.cnake_group g WHERE {}.id = g.entry_id "
                                              "AND g.kind = '{}'",
                                              entries, ChangeKindCode(kind)))));
  return updated + joined;
}

// Only unfinished entries change (the engine only holds those; a final entry
// is never moved back), so the counts are exact transitions and the batch
// counters can move by them in the same transaction: they stay equal to a
// recount of the entries without scanning the batch on every commit.
Result<Finished> ApplyEntryChanges(db::Connection& conn, const std::string& entries,
                                   const std::vector<EntryChange>& changes, bool bytewise_ids) {
  Finished f;
  for (const ChangeKind kind :
       {ChangeKind::kNotFinal, ChangeKind::kCompleted, ChangeKind::kFailed}) {
    const std::vector<EntryChange> of_kind = OfKind(changes, kind);
    if (of_kind.empty()) continue;
    CNAKE_ASSIGN_OR_RETURN(std::int64_t moved,
                           ApplyChangesOfOneKind(conn, entries, of_kind, kind, bytewise_ids));
    if (kind == ChangeKind::kCompleted) f.completed = moved;
    if (kind == ChangeKind::kFailed) f.failed = moved;
  }
  return f;
}

// Results replace any earlier result row of the entry: the one with the
// entry's python id, and any a foreign tool stored under its cython_id. The
// ids go in as literals so that each DELETE reaches the scan as a constant
// filter (about 2 ms per group at 100,000 results; joined with the temp
// table, or as one OR, it scanned every result row: ~25 ms at 100,000 and
// growing with the table). With bytewise ids they go in as list_contains()
// with bounds, which keeps DuckDB from turning the list into a join (see
// entry_changes.h); otherwise as IN lists.
Status DeleteEarlierResults(db::Connection& conn, const std::string& results,
                            const std::vector<EntryChange>& changes, bool bytewise_ids) {
  std::vector<std::string> python_ids;
  std::vector<std::string_view> entry_ids;
  for (const EntryChange& e : changes) {
    if (e.completion == nullptr) continue;
    python_ids.push_back(PythonIdFor(e.entry_id));
    entry_ids.push_back(e.entry_id);
  }
  const std::vector<std::string_view> python_views(python_ids.begin(), python_ids.end());
  auto filter = [&](const char* column,
                    const std::vector<std::string_view>& ids) -> std::optional<std::string> {
    if (bytewise_ids) return IdFilterSql(column, ids);
    auto list = db::SqlStringList(ids);
    if (!list) return std::nullopt;
    return fmt::format("{} IN {}", column, *list);
  };
  const auto by_id = filter("id", python_views);
  const auto by_entry = filter("cython_id", entry_ids);
  if (!by_id || !by_entry) {  // an id with a NUL byte: correct, but scans
    return conn.Execute(
        fmt::format("DELETE FROM {0} WHERE id IN (SELECT python_id FROM "
                    "temp.cnake_group WHERE kind = 'c') OR cython_id IN (SELECT "
                    "entry_id FROM temp.cnake_group WHERE kind = 'c')",
                    results));
  }
  CNAKE_RETURN_IF_ERROR(conn.Execute(fmt::format("DELETE FROM {} WHERE {}", results, *by_id)));
  return conn.Execute(fmt::format("DELETE FROM {} WHERE {}", results, *by_entry));
}

Status InsertResults(db::Connection& conn, const std::string& results,
                     const std::vector<EntryChange>& changes, bool bytewise_ids) {
  CNAKE_RETURN_IF_ERROR(DeleteEarlierResults(conn, results, changes, bytewise_ids));
  return conn.Execute(
      fmt::format("INSERT INTO {} (id, code, cython_id, metadata) SELECT python_id, "
                  "python, entry_id, metadata FROM temp.cnake_group WHERE kind = 'c'",
                  results));
}

Status InsertErrors(db::Connection& conn, const std::string& batch_id) {
  return conn.ExecuteWith(
      "INSERT INTO processing_errors (id, entry_id, batch_id, error_message, "
      "error_type, http_status, attempt, request_id, endpoint) SELECT "
      "CAST(gen_random_uuid() AS VARCHAR), entry_id, ?, message, error_type, "
      "http_status, attempts, error_request_id, endpoint FROM temp.cnake_group "
      "WHERE kind = 'f'",
      batch_id);
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
    CNAKE_RETURN_IF_ERROR(app.Append(r.occurred_at));
    CNAKE_RETURN_IF_ERROR(app.Append(r.prompt_tokens));
    CNAKE_RETURN_IF_ERROR(app.Append(r.completion_tokens));
    CNAKE_RETURN_IF_ERROR(app.EndRow());
  }
  return app.Close();
}

// The entries a claim takes; parameters: id prefix twice, tag twice, limit.
std::string ClaimCandidatesSql(const TableNames& tables, const ClaimOptions& options) {
  const std::string pending(EntryStateName(EntryState::kPending));
  const std::string failed(EntryStateName(EntryState::kFailed));
  return fmt::format(
      "SELECT id FROM {0} WHERE coalesce(processing_status, '{1}') IN ('{1}'{2}) "
      "AND (batch_id IS NULL OR processing_status = '{3}') "
      "AND (? = '' OR starts_with(id, ?)) "
      "AND (? = '' OR list_contains(from_json(tags, '[\"VARCHAR\"]'), ?)) ORDER BY id LIMIT ?",
      Q(tables.entries), pending, options.retry_failed ? ", '" + failed + "'" : "", failed);
}

}  // namespace

Result<std::int64_t> ClaimInTransaction(db::Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options) {
  const auto& f = options.filter;
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t claimed,
      conn.RunWith(
          fmt::format("UPDATE {0} SET batch_id = ?, processing_status = '{2}', "
                      "processed = FALSE, request_id = NULL, attempts = 0, "
                      "submission_seq = coalesce(submission_seq, 0) + "
                      "CASE WHEN processing_status = '{3}' THEN 1 ELSE 0 END, "
                      "last_error = NULL, updated_at = now() WHERE id IN ({1})",
                      Q(tables.entries), ClaimCandidatesSql(tables, options),
                      EntryStateName(EntryState::kPending), EntryStateName(EntryState::kFailed)),
          batch_id, f.id_prefix, f.id_prefix, f.tag, f.tag, options.limit));
  CNAKE_RETURN_IF_ERROR(
      conn.ExecuteWith("UPDATE batch_jobs SET total_entries = ? WHERE id = ?", claimed, batch_id));
  return claimed;
}

Result<ClaimPreview> PreviewClaimSql(db::Connection& conn, const TableNames& tables,
                                     const ClaimOptions& options) {
  constexpr std::size_t kSampleIds = 20;
  const auto& f = options.filter;
  ClaimPreview preview;
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult r,
                         conn.QueryWith(ClaimCandidatesSql(tables, options), f.id_prefix,
                                        f.id_prefix, f.tag, f.tag, options.limit));
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row, ++preview.count) {
      if (preview.sample_ids.size() < kSampleIds) {
        preview.sample_ids.emplace_back(chunk->GetString(0, row));
      }
    }
  }
  return preview;
}

Result<std::vector<Entry>> LoadUnfinished(db::Connection& conn, const TableNames& tables,
                                          const std::string& batch_id, BatchCursor& cursor,
                                          std::size_t limit) {
  std::vector<Entry> out;
  const std::string sql = fmt::format(
      "SELECT {} FROM {} WHERE batch_id = ? AND {} AND (request_id IS NOT NULL) = ? AND id > ? "
      "ORDER BY id LIMIT ?",
      EntrySelectList(), Q(tables.entries), UnfinishedEntrySql());
  while (out.size() < limit && cursor.pass < 2) {
    const auto wanted = static_cast<std::int64_t>(limit - out.size());
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult r, conn.QueryWith(sql, batch_id, cursor.pass == 0,
                                                             cursor.after_id, wanted));
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
                   const WriteGroup& group, bool bytewise_ids) {
  if (group.empty()) return Status::Ok();
  const std::vector<EntryChange> changes = Fold(group);
  // One transaction for everything, request log included: each commit costs
  // a WAL sync.
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
  if (!changes.empty()) {
    CNAKE_RETURN_IF_ERROR(StageGroup(conn, changes));
    CNAKE_ASSIGN_OR_RETURN(Finished finished,
                           ApplyEntryChanges(conn, Q(tables.entries), changes, bytewise_ids));
    if (!group.completions.empty()) {
      CNAKE_RETURN_IF_ERROR(InsertResults(conn, Q(tables.results), changes, bytewise_ids));
      CrashPoint("mid_result_group");
    }
    if (!group.failures.empty()) CNAKE_RETURN_IF_ERROR(InsertErrors(conn, batch_id));
    if (finished.completed + finished.failed > 0) {
      CNAKE_RETURN_IF_ERROR(conn.ExecuteWith(
          "UPDATE batch_jobs SET processed_entries = coalesce("
          "processed_entries, 0) + ?, successful_entries = coalesce("
          "successful_entries, 0) + ?, failed_entries = coalesce("
          "failed_entries, 0) + ?, updated_at = now() WHERE id = ?",
          finished.completed + finished.failed, finished.completed, finished.failed, batch_id));
    }
  }
  CNAKE_RETURN_IF_ERROR(AppendRequestLogs(conn, batch_id, group));
  return txn.Commit();
}

Result<BatchCounts> CountBatchSql(db::Connection& conn, const TableNames& tables,
                                  const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult r,
      conn.QueryWith(fmt::format("SELECT coalesce(processing_status, '{}'), count(*) FROM {} "
                                 "WHERE batch_id = ? GROUP BY ALL",
                                 EntryStateName(EntryState::kPending), Q(tables.entries)),
                     batch_id));
  BatchCounts c;
  while (auto chunk = r.NextChunk()) {
    for (std::size_t row = 0; row < chunk->size(); ++row) {
      const std::int64_t n = chunk->GetInt64(1, row);
      if (auto state = ParseEntryState(chunk->GetString(0, row))) {
        c.Add(*state, n);
      } else {
        c.total += n;  // a foreign state: counted, in no bucket
      }
    }
  }
  return c;
}

const char* BatchSelectList() {
  return "id, coalesce(status, ''), CAST(total_entries AS BIGINT), "
         "CAST(coalesce(processed_entries, 0) AS BIGINT), "
         "CAST(coalesce(successful_entries, 0) AS BIGINT), "
         "CAST(coalesce(failed_entries, 0) AS BIGINT), "
         "coalesce(strftime(started_at, '%Y-%m-%dT%H:%M:%SZ'), ''), "
         "coalesce(strftime(completed_at, '%Y-%m-%dT%H:%M:%SZ'), ''), "
         "CAST(retry_after_wait_seconds AS DOUBLE), CAST(breaker_open_seconds AS DOUBLE)";
}

BatchRecord ReadBatchRow(const db::DataChunk& c, std::size_t row) {
  auto opt_double = [&](std::size_t col) {
    return c.IsNull(col, row) ? std::nullopt : std::optional<double>(c.GetDouble(col, row));
  };
  BatchRecord b;
  b.id = std::string(c.GetString(0, row));
  b.status_text = std::string(c.GetString(1, row));
  b.status = ParseBatchStatus(b.status_text);
  b.total = c.GetInt64(2, row);
  b.processed = c.GetInt64(3, row);
  b.successful = c.GetInt64(4, row);
  b.failed = c.GetInt64(5, row);
  b.started_at = std::string(c.GetString(6, row));
  b.completed_at = std::string(c.GetString(7, row));
  b.retry_after_wait_seconds = opt_double(8);
  b.breaker_open_seconds = opt_double(9);
  return b;
}

}  // namespace cnake
