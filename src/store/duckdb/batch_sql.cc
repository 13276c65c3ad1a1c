#include "store/duckdb/batch_sql.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/duckdb/apply.h"
#include "store/duckdb/duckdb_store.h"
#include "store/duckdb/entry_changes.h"
#include "store/duckdb/journal.h"
#include "store/duckdb/result_rows.h"
#include "util/crash_point.h"
#include "util/time_format.h"

namespace cnake {
namespace {

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

// The entries a claim takes; parameters: id prefix twice, tag twice, limit.
std::string ClaimCandidatesSql(const TableNames& tables, const ClaimOptions& options) {
  const std::string pending(EntryStateName(EntryState::kPending));
  const std::string failed(EntryStateName(EntryState::kFailed));
  return fmt::format(
      "SELECT id FROM {0} WHERE coalesce(processing_status, '{1}') IN ('{1}'{2}) "
      "AND (batch_id IS NULL OR processing_status = '{3}') AND {4} ORDER BY id LIMIT ?",
      Q(tables.entries), pending, options.retry_failed ? ", '" + failed + "'" : "", failed,
      EntryFilterSql());
}

}  // namespace

const char* EntryFilterSql() {
  return "(? = '' OR starts_with(id, ?)) "
         "AND (? = '' OR list_contains(from_json(tags, '[\"VARCHAR\"]'), ?))";
}

Result<std::int64_t> ClaimInTransaction(db::Connection& conn, const TableNames& tables,
                                        const std::string& batch_id, const ClaimOptions& options) {
  const auto& f = options.filter;
  CNAKE_ASSIGN_OR_RETURN(
      std::int64_t claimed,
      conn.RunWith(
          fmt::format("UPDATE {0} SET batch_id = ?, processing_status = '{2}', "
                      "processed = FALSE, request_id = NULL, key_batch_id = NULL, attempts = 0, "
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

namespace {

// One part of a lease page, by two statements in one transaction: the
// page's last id (a scan of the id column alone), then the rows up to it.
// One statement selecting every column with ORDER BY id LIMIT n made DuckDB
// read the code of every candidate row before its Top-N: at 200,000 entries
// the lease cost 0.051 ms of CPU per entry, now 0.026 (docs/benchmarks.md).
// Returns how many ids the page took (rows sharing the last id of a table
// without a key come along).
Result<std::int64_t> LoadPagePart(db::Connection& conn, const TableNames& tables,
                                  const std::string& batch_id, bool with_request,
                                  const std::string& after_id, std::int64_t wanted,
                                  std::vector<Entry>& out) {
  const std::string filter =
      fmt::format("FROM {} WHERE batch_id = ? AND {} AND (request_id IS NOT NULL) = ? AND id > ?",
                  Q(tables.entries), UnfinishedEntrySql());
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
  // The ids themselves, not max(id): ORDER BY and the comparisons below
  // follow the column's collation (a foreign table's may be NOCASE).
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult ids,
                         conn.QueryWith("SELECT id " + filter + " ORDER BY id LIMIT ?", batch_id,
                                        with_request, after_id, wanted));
  std::int64_t got = 0;
  std::string last;
  while (auto chunk = ids.NextChunk()) {
    got += static_cast<std::int64_t>(chunk->size());
    if (chunk->size() > 0) last = std::string(chunk->GetString(0, chunk->size() - 1));
  }
  if (got == 0) return std::int64_t{0};
  CNAKE_ASSIGN_OR_RETURN(db::QueryResult rows,
                         conn.QueryWith(std::string("SELECT ") + EntrySelectList() + " " + filter +
                                            " AND id <= ? ORDER BY id",
                                        batch_id, with_request, after_id, last));
  while (auto c = rows.NextChunk()) {
    for (std::size_t row = 0; row < c->size(); ++row) out.push_back(ReadEntryRow(*c, row));
  }
  CNAKE_RETURN_IF_ERROR(txn.Commit());
  return got;
}

}  // namespace

Result<std::vector<Entry>> LoadUnfinished(db::Connection& conn, const TableNames& tables,
                                          const std::string& batch_id, BatchCursor& cursor,
                                          std::size_t limit) {
  std::vector<Entry> out;
  while (out.size() < limit && cursor.pass < 2) {
    const auto wanted = static_cast<std::int64_t>(limit - out.size());
    CNAKE_ASSIGN_OR_RETURN(
        const std::int64_t got,
        LoadPagePart(conn, tables, batch_id, cursor.pass == 0, cursor.after_id, wanted, out));
    if (got > 0) cursor.after_id = out.back().id;
    if (got < wanted) {
      ++cursor.pass;
      cursor.after_id.clear();
    }
  }
  return out;
}

Status CommitChanges(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                     const WriteGroup& group, const std::vector<EntryChange>& changes,
                     const CommitPlan& plan) {
  // One transaction for everything, request log included: each commit costs
  // a WAL sync.
  CNAKE_ASSIGN_OR_RETURN(db::Transaction txn, db::Transaction::Begin(conn));
  CNAKE_RETURN_IF_ERROR(AppendJournal(conn, batch_id, changes, plan.first_seq));
  if (!group.completions.empty()) {
    CNAKE_RETURN_IF_ERROR(DeleteResults(conn, tables, plan.replace_results, plan.bytewise_ids));
    CNAKE_RETURN_IF_ERROR(AppendResults(conn, tables, group.completions));
    CrashPoint("mid_result_group");
  }
  CNAKE_RETURN_IF_ERROR(InsertFailures(conn, batch_id, group.failures));
  CNAKE_RETURN_IF_ERROR(AppendRequestLogs(conn, batch_id, group.requests));
  return txn.Commit();
}

Status CommitGroup(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                   const WriteGroup& group, bool bytewise_ids) {
  if (group.empty()) return Status::Ok();
  const std::vector<EntryChange> changes = Fold(group);
  CommitPlan plan;
  plan.bytewise_ids = bytewise_ids;
  CNAKE_ASSIGN_OR_RETURN(plan.first_seq, NextJournalSeq(conn));
  std::vector<std::string> completed;
  for (const EntryChange& e : changes) {
    if (e.kind == ChangeKind::kCompleted) completed.push_back(e.entry_id);
  }
  std::sort(completed.begin(), completed.end());
  CNAKE_ASSIGN_OR_RETURN(auto with_results,
                         EntriesWithResults(conn, tables, completed, bytewise_ids));
  for (const std::string& id : completed) {
    if (with_results.count(id)) plan.replace_results.push_back(id);
  }
  CNAKE_RETURN_IF_ERROR(CommitChanges(conn, tables, batch_id, group, changes, plan));
  return FoldJournal(conn, tables, batch_id, changes,
                     plan.first_seq + static_cast<std::int64_t>(changes.size()) - 1);
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

const std::string& BatchSelectList() {
  static const std::string list = fmt::format(
      "id, coalesce(status, ''), CAST(total_entries AS BIGINT), "
      "CAST(coalesce(processed_entries, 0) AS BIGINT), "
      "CAST(coalesce(successful_entries, 0) AS BIGINT), "
      "CAST(coalesce(failed_entries, 0) AS BIGINT), "
      "coalesce(strftime(started_at, '{0}'), ''), coalesce(strftime(completed_at, '{0}'), ''), "
      "CAST(retry_after_wait_seconds AS DOUBLE), CAST(breaker_open_seconds AS DOUBLE)",
      kIsoUtcStrftime);
  return list;
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
