#include "store/postgres/pg_batch_sql.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "store/duckdb/duckdb_store.h"  // PythonIdFor: one rule for every store
#include "store/entry_change.h"

namespace cnake::pg {
namespace {

std::string Q(const std::string& name) { return QuoteIdentifier(name); }
std::string Name(EntryState s) { return std::string(EntryStateName(s)); }

using Column = std::vector<std::optional<std::string>>;

std::optional<std::string> Text(const std::string& s) { return s; }
std::optional<std::string> Int(std::optional<std::int64_t> v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}
std::optional<std::string> Bool(bool v) { return v ? "true" : "false"; }

// The entries a claim takes: $1 id prefix, $2 tag, $3 limit.
std::string CandidatesSql(const TableNames& tables, const ClaimOptions& options) {
  const std::string pending = Name(EntryState::kPending), failed = Name(EntryState::kFailed);
  return fmt::format(
      "SELECT id FROM {0} WHERE coalesce(processing_status, '{1}') IN ('{1}'{2}) "
      "AND (batch_id IS NULL OR processing_status = '{3}') "
      "AND ($1::text = '' OR starts_with(id, $1::text)) "
      "AND ($2::text = '' OR coalesce(tags::jsonb ? $2::text, false)) ORDER BY id LIMIT $3",
      Q(tables.entries), pending, options.retry_failed ? ", '" + failed + "'" : "", failed);
}

// Applies the folded changes to the entries the runner may still change and
// returns the ids that became completed and failed.
struct Moved {
  std::vector<std::string> completed, failed;
};
Result<Moved> UpdateEntries(Connection& conn, const std::string& entries,
                            const std::string& batch_id, const std::string& runner,
                            const std::vector<EntryChange>& changes) {
  Column ids, kind, state, submitted, request_id, clear, seq, attempts, last_error, python_id;
  for (const EntryChange& c : changes) {
    ids.push_back(c.entry_id);
    kind.push_back(std::string(ChangeKindCode(c.kind)));
    state.push_back(Name(c.state));
    submitted.push_back(Bool(c.submitted));
    request_id.push_back(c.request_id);
    clear.push_back(Bool(c.clear_request_id));
    seq.push_back(Int(c.submission_seq));
    attempts.push_back(Int(c.attempts));
    last_error.push_back(c.last_error);
    python_id.push_back(c.completion ? Text(PythonIdFor(c.entry_id)) : std::nullopt);
  }
  const std::string sql = fmt::format(
      "UPDATE {0} e SET "
      "processing_status = CASE g.kind WHEN 'c' THEN '{c}' WHEN 'f' THEN '{f}' ELSE g.state END, "
      "processed = CASE g.kind WHEN 'c' THEN TRUE WHEN 'f' THEN FALSE ELSE e.processed END, "
      "python_id = CASE g.kind WHEN 'c' THEN g.python_id ELSE e.python_id END, "
      "attempts = g.attempts, "
      "last_error = CASE g.kind WHEN 'p' THEN coalesce(g.last_error, e.last_error) "
      "ELSE g.last_error END, "
      "request_id = CASE WHEN g.clear_request_id THEN NULL WHEN g.submitted THEN g.request_id "
      "ELSE e.request_id END, "
      "submission_seq = coalesce(g.submission_seq, e.submission_seq), "
      "processed_at = CASE g.kind WHEN 'p' THEN e.processed_at ELSE now() END, "
      "lease_owner = CASE g.kind WHEN 'p' THEN e.lease_owner ELSE NULL END, "
      "updated_at = now() "
      "FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::boolean[], "
      "$7::integer[], $8::integer[], $9::text[], $10::text[]) AS g(entry_id, kind, state, "
      "submitted, request_id, clear_request_id, submission_seq, attempts, last_error, python_id) "
      "WHERE e.id = g.entry_id AND e.batch_id = $11 AND {u} "
      "AND (e.lease_owner IS NULL OR e.lease_owner = $12) RETURNING e.id, g.kind",
      entries, fmt::arg("c", Name(EntryState::kCompleted)),
      fmt::arg("f", Name(EntryState::kFailed)), fmt::arg("u", UnfinishedSql("e")));
  CNAKE_ASSIGN_OR_RETURN(QueryResult r,
                         conn.Query(sql, Args(ids, kind, state, submitted, request_id, clear, seq,
                                              attempts, last_error, python_id, batch_id, runner)));
  Moved moved;
  for (int i = 0; i < r.rows(); ++i) {
    if (r.Get(i, 1) == "c") moved.completed.emplace_back(r.Get(i, 0));
    if (r.Get(i, 1) == "f") moved.failed.emplace_back(r.Get(i, 0));
  }
  return moved;
}

// Results replace any earlier result row of the entry (its python id, or a
// foreign tool's row under its cython_id), only for entries this group completed.
Status InsertResults(Connection& conn, const std::string& results, const WriteGroup& group,
                     const std::vector<std::string>& completed) {
  const std::set<std::string> done(completed.begin(), completed.end());
  std::set<std::string> seen;
  std::vector<std::string> ids, python_ids, codes, metadata;
  for (auto it = group.completions.rbegin(); it != group.completions.rend(); ++it) {
    if (!done.count(it->entry_id) || !seen.insert(it->entry_id).second) continue;  // last wins
    ids.push_back(it->entry_id);
    python_ids.push_back(PythonIdFor(it->entry_id));
    codes.push_back(it->python);
    metadata.push_back(it->metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (ids.empty()) return Status::Ok();
  CNAKE_RETURN_IF_ERROR(conn.Execute(
      fmt::format("DELETE FROM {} WHERE id = ANY($1::text[]) OR cython_id = ANY($2::text[])",
                  results),
      Args(python_ids, ids)));
  return conn.Execute(
      fmt::format("INSERT INTO {} (id, code, cython_id, metadata) SELECT p, c, i, m::json "
                  "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS g(p, c, i, m)",
                  results),
      Args(python_ids, codes, ids, metadata));
}

Status InsertErrors(Connection& conn, const std::string& batch_id, const WriteGroup& group,
                    const std::vector<std::string>& failed) {
  const std::set<std::string> done(failed.begin(), failed.end());
  std::set<std::string> seen;
  Column ids, messages, types, statuses, attempts, request_ids, endpoints;
  for (auto it = group.failures.rbegin(); it != group.failures.rend(); ++it) {
    if (!done.count(it->entry_id) || !seen.insert(it->entry_id).second) continue;
    ids.push_back(it->entry_id);
    messages.push_back(it->message);
    types.push_back(it->error_type);
    statuses.push_back(it->http_status ? Int(it->http_status) : std::nullopt);
    attempts.push_back(Int(it->attempts));
    request_ids.push_back(it->request_id.empty() ? std::nullopt : Text(it->request_id));
    endpoints.push_back(it->endpoint);
  }
  if (ids.empty()) return Status::Ok();
  // Stored in the group's order (reports list failures as stored).
  for (Column* c : {&ids, &messages, &types, &statuses, &attempts, &request_ids, &endpoints}) {
    std::reverse(c->begin(), c->end());
  }
  return conn.Execute(
      "INSERT INTO processing_errors (id, entry_id, batch_id, error_message, error_type, "
      "http_status, attempt, request_id, endpoint) SELECT gen_random_uuid()::text, i, $1, m, t, "
      "s, a, r, p FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[], $6::integer[], "
      "$7::text[], $8::text[]) AS g(i, m, t, s, a, r, p)",
      Args(batch_id, ids, messages, types, statuses, attempts, request_ids, endpoints));
}

Status InsertRequestLogs(Connection& conn, const std::string& batch_id, const WriteGroup& g) {
  if (g.requests.empty()) return Status::Ok();
  Column ids, attempts, endpoints, statuses, latencies, types, times, prompt, completion;
  for (const RequestLog& r : g.requests) {
    prompt.push_back(Int(r.prompt_tokens));
    completion.push_back(Int(r.completion_tokens));
    ids.push_back(r.entry_id);
    attempts.push_back(Int(r.attempt));
    endpoints.push_back(r.endpoint);
    statuses.push_back(r.http_status ? Int(r.http_status) : std::nullopt);
    latencies.push_back(fmt::format("{:.17g}", r.latency_ms));
    types.push_back(r.error_type.empty() ? std::nullopt : Text(r.error_type));
    Params one;
    one.Add(r.occurred_at);
    times.push_back(std::string(one.Pointers()[0]));
  }
  return conn.Execute(
      "INSERT INTO api_requests (batch_id, entry_id, attempt, endpoint, http_status, latency_ms, "
      "error_type, occurred_at, prompt_tokens, completion_tokens) SELECT $1, i, a, e, s, l, t, "
      "o, pt, ct FROM unnest($2::text[], $3::integer[], $4::text[], $5::integer[], "
      "$6::double precision[], $7::text[], $8::timestamptz[], $9::bigint[], $10::bigint[]) "
      "AS g(i, a, e, s, l, t, o, pt, ct)",
      Args(batch_id, ids, attempts, endpoints, statuses, latencies, types, times, prompt,
           completion));
}

}  // namespace

std::string UnfinishedSql(const std::string& alias) {
  return fmt::format("coalesce({}.processing_status, '{}') NOT IN ('{}', '{}')", alias,
                     Name(EntryState::kPending), Name(EntryState::kCompleted),
                     Name(EntryState::kFailed));
}

std::string EntryColumns(const std::string& a) {
  return fmt::format(
      "{0}.id, {0}.code, {0}.description, {0}.metadata::text, {0}.tags::text, "
      "coalesce({0}.processing_status, 'pending'), {0}.python_id, {0}.batch_id, {0}.request_id, "
      "coalesce({0}.attempts, 0), coalesce({0}.submission_seq, 0), {0}.last_error, "
      "{0}.key_batch_id",
      a);
}

Entry ReadEntry(const QueryResult& r, int row) {
  Entry e;
  e.id = std::string(r.Get(row, 0));
  e.code = std::string(r.Get(row, 1));
  e.description = r.GetOpt(row, 2);
  e.metadata_json = r.GetOpt(row, 3);
  e.tags_json = r.GetOpt(row, 4);
  e.state = ParseEntryState(r.Get(row, 5)).value_or(EntryState::kPending);
  e.python_id = r.GetOpt(row, 6);
  e.batch_id = r.GetOpt(row, 7);
  e.request_id = r.GetOpt(row, 8);
  e.attempts = static_cast<int>(r.GetInt64(row, 9));
  e.submission_seq = static_cast<int>(r.GetInt64(row, 10));
  e.last_error = r.GetOpt(row, 11);
  e.key_batch_id = r.GetOpt(row, 12);
  return e;
}

std::string BatchColumns(const std::string& alias) {
  const std::string a = alias.empty() ? "" : alias + ".";
  return fmt::format(
      "{0}id, coalesce({0}status, ''), {0}total_entries, coalesce({0}processed_entries, 0), "
      "coalesce({0}successful_entries, 0), coalesce({0}failed_entries, 0), coalesce({1}, ''), "
      "coalesce({2}, ''), {0}retry_after_wait_seconds, {0}breaker_open_seconds",
      a, IsoUtc(a + "started_at"), IsoUtc(a + "completed_at"));
}

BatchRecord ReadBatch(const QueryResult& r, int row) {
  auto opt_double = [&](int col) {
    return r.IsNull(row, col) ? std::nullopt : std::optional<double>(r.GetDouble(row, col));
  };
  BatchRecord b;
  b.id = std::string(r.Get(row, 0));
  b.status_text = std::string(r.Get(row, 1));
  b.status = ParseBatchStatus(b.status_text);
  b.total = r.GetInt64(row, 2);
  b.processed = r.GetInt64(row, 3);
  b.successful = r.GetInt64(row, 4);
  b.failed = r.GetInt64(row, 5);
  b.started_at = std::string(r.Get(row, 6));
  b.completed_at = std::string(r.Get(row, 7));
  b.retry_after_wait_seconds = opt_double(8);
  b.breaker_open_seconds = opt_double(9);
  return b;
}

Result<std::int64_t> ClaimInTransaction(Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options) {
  // SKIP LOCKED: a claim running beside another never waits for it and never
  // takes the same entry (the other's rows are locked until it commits).
  const std::string sql = fmt::format(
      "UPDATE {0} e SET batch_id = $4, processing_status = '{1}', processed = FALSE, "
      "request_id = NULL, key_batch_id = NULL, attempts = 0, lease_owner = NULL, "
      "submission_seq = coalesce(e.submission_seq, 0) + "
      "CASE WHEN e.processing_status = '{2}' THEN 1 ELSE 0 END, "
      "last_error = NULL, updated_at = now() FROM ({3} FOR UPDATE SKIP LOCKED) c "
      "WHERE e.id = c.id",
      Q(tables.entries), Name(EntryState::kPending), Name(EntryState::kFailed),
      CandidatesSql(tables, options));
  const auto& f = options.filter;
  CNAKE_ASSIGN_OR_RETURN(std::int64_t claimed,
                         conn.Run(sql, Args(f.id_prefix, f.tag, options.limit, batch_id)));
  CNAKE_RETURN_IF_ERROR(conn.Execute("UPDATE batch_jobs SET total_entries = $1 WHERE id = $2",
                                     Args(claimed, batch_id)));
  return claimed;
}

Result<ClaimPreview> PreviewClaim(Connection& conn, const TableNames& tables,
                                  const ClaimOptions& options) {
  constexpr std::size_t kSampleIds = 20;
  const auto& f = options.filter;
  CNAKE_ASSIGN_OR_RETURN(QueryResult r, conn.Query(CandidatesSql(tables, options),
                                                   Args(f.id_prefix, f.tag, options.limit)));
  ClaimPreview preview;
  preview.count = r.rows();
  for (int i = 0; i < r.rows() && preview.sample_ids.size() < kSampleIds; ++i) {
    preview.sample_ids.emplace_back(r.Get(i, 0));
  }
  return preview;
}

Result<BatchCounts> CountBatch(Connection& conn, const TableNames& tables,
                               const std::string& batch_id) {
  CNAKE_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query(fmt::format("SELECT coalesce(processing_status, 'pending'), count(*) FROM {} "
                             "WHERE batch_id = $1 GROUP BY 1",
                             Q(tables.entries)),
                 Args(batch_id)));
  BatchCounts c;
  for (int i = 0; i < r.rows(); ++i) {
    const std::int64_t n = r.GetInt64(i, 1);
    if (auto state = ParseEntryState(r.Get(i, 0))) {
      c.Add(*state, n);
    } else {
      c.total += n;  // a foreign state: counted, in no bucket
    }
  }
  return c;
}

Status ApplyGroup(Connection& conn, const TableNames& tables, const std::string& batch_id,
                  const std::string& runner, const WriteGroup& group) {
  std::vector<EntryChange> changes = Fold(group);
  // One lock order for every runner: fewer deadlocks between overlapping groups.
  std::sort(changes.begin(), changes.end(),
            [](const EntryChange& a, const EntryChange& b) { return a.entry_id < b.entry_id; });
  if (!changes.empty()) {
    CNAKE_ASSIGN_OR_RETURN(Moved moved,
                           UpdateEntries(conn, Q(tables.entries), batch_id, runner, changes));
    CNAKE_RETURN_IF_ERROR(InsertResults(conn, Q(tables.results), group, moved.completed));
    CNAKE_RETURN_IF_ERROR(InsertErrors(conn, batch_id, group, moved.failed));
    const auto completed = static_cast<std::int64_t>(moved.completed.size());
    const auto failed = static_cast<std::int64_t>(moved.failed.size());
    if (completed + failed > 0) {
      CNAKE_RETURN_IF_ERROR(conn.Execute(
          "UPDATE batch_jobs SET processed_entries = coalesce(processed_entries, 0) + $1, "
          "successful_entries = coalesce(successful_entries, 0) + $2, "
          "failed_entries = coalesce(failed_entries, 0) + $3, updated_at = now() WHERE id = $4",
          Args(completed + failed, completed, failed, batch_id)));
    }
  }
  return InsertRequestLogs(conn, batch_id, group);
}

}  // namespace cnake::pg
