#include "store/duckdb/result_rows.h"

#include <fmt/format.h>

#include "store/duckdb/duckdb_store.h"
#include "store/duckdb/entry_changes.h"

namespace cnake {
namespace {

// `column` restricted to `ids`: as list_contains() with byte-order bounds
// when ids compare bytewise (constant filters DuckDB prunes by, without a
// join: entry_changes.h), else as an IN list.
std::optional<std::string> IdFilter(const char* column, const std::vector<std::string_view>& ids,
                                    bool bytewise_ids) {
  if (bytewise_ids) return IdFilterSql(column, ids);
  auto list = db::SqlStringList(ids);
  if (!list) return std::nullopt;
  return fmt::format("{} IN {}", column, *list);
}

std::vector<std::string> PythonIds(const std::vector<std::string_view>& entry_ids) {
  std::vector<std::string> out;
  out.reserve(entry_ids.size());
  for (std::string_view id : entry_ids) out.push_back(PythonIdFor(std::string(id)));
  return out;
}

}  // namespace

Result<std::unordered_set<std::string>> EntriesWithResults(db::Connection& conn,
                                                           const TableNames& tables,
                                                           const std::vector<std::string>& ids,
                                                           bool bytewise_ids) {
  std::unordered_set<std::string> found;
  if (ids.empty()) return found;
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  const std::vector<std::string> python = PythonIds(views);
  const std::vector<std::string_view> python_views(python.begin(), python.end());
  const auto by_entry = IdFilter("cython_id", views, bytewise_ids);
  const auto by_python = IdFilter("id", python_views, bytewise_ids);
  if (!by_entry || !by_python) {  // an id with a NUL byte: assume a result may exist
    found.insert(ids.begin(), ids.end());
    return found;
  }
  const std::string results = db::QuoteIdentifier(tables.results);
  const std::string prefix = PythonIdFor("");
  for (const bool by_python_id : {false, true}) {
    CNAKE_ASSIGN_OR_RETURN(
        db::QueryResult r,
        conn.Query(by_python_id
                       ? fmt::format("SELECT id FROM {} WHERE {}", results, *by_python)
                       : fmt::format("SELECT cython_id FROM {} WHERE {}", results, *by_entry)));
    while (auto chunk = r.NextChunk()) {
      for (std::size_t row = 0; row < chunk->size(); ++row) {
        std::string_view id = chunk->GetString(0, row);
        if (by_python_id) id.remove_prefix(prefix.size());  // the filter matched the prefix
        found.emplace(id);
      }
    }
  }
  return found;
}

Status DeleteResults(db::Connection& conn, const TableNames& tables,
                     const std::vector<std::string_view>& entry_ids, bool bytewise_ids) {
  if (entry_ids.empty()) return Status::Ok();
  const std::vector<std::string> python = PythonIds(entry_ids);
  const std::vector<std::string_view> python_views(python.begin(), python.end());
  const auto by_id = IdFilter("id", python_views, bytewise_ids);
  const auto by_entry = IdFilter("cython_id", entry_ids, bytewise_ids);
  const std::string results = db::QuoteIdentifier(tables.results);
  if (!by_id || !by_entry) {  // an id with a NUL byte: one row at a time, bound
    for (std::string_view id : entry_ids) {
      CNAKE_RETURN_IF_ERROR(
          conn.ExecuteWith(fmt::format("DELETE FROM {} WHERE id = ? OR cython_id = ?", results),
                           PythonIdFor(std::string(id)), id));
    }
    return Status::Ok();
  }
  CNAKE_RETURN_IF_ERROR(conn.Execute(fmt::format("DELETE FROM {} WHERE {}", results, *by_id)));
  return conn.Execute(fmt::format("DELETE FROM {} WHERE {}", results, *by_entry));
}

Status AppendResults(db::Connection& conn, const TableNames& tables,
                     const std::vector<Completion>& completions) {
  if (completions.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::Appender app,
      db::Appender::CreateFor(conn, tables.results, {"id", "code", "cython_id", "metadata"}));
  for (const Completion& c : completions) {
    CNAKE_RETURN_IF_ERROR(app.Append(PythonIdFor(c.entry_id)));
    CNAKE_RETURN_IF_ERROR(app.Append(c.python));
    CNAKE_RETURN_IF_ERROR(app.Append(c.entry_id));
    CNAKE_RETURN_IF_ERROR(
        app.Append(c.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    CNAKE_RETURN_IF_ERROR(app.EndRow());
  }
  return app.Close();
}

// Failures are rare: one bound INSERT each, with DuckDB's own UUID as the id.
Status InsertFailures(db::Connection& conn, const std::string& batch_id,
                      const std::vector<Failure>& failures) {
  for (const Failure& f : failures) {
    std::optional<std::int64_t> status;
    if (f.http_status) status = f.http_status;
    std::optional<std::string> request_id;
    if (!f.request_id.empty()) request_id = f.request_id;
    CNAKE_RETURN_IF_ERROR(conn.ExecuteWith(
        "INSERT INTO processing_errors (id, entry_id, batch_id, error_message, error_type, "
        "http_status, attempt, request_id, endpoint) VALUES "
        "(CAST(gen_random_uuid() AS VARCHAR), ?, ?, ?, ?, ?, ?, ?, ?)",
        f.entry_id, batch_id, f.message, f.error_type, status, f.attempts, request_id, f.endpoint));
  }
  return Status::Ok();
}

Status AppendRequestLogs(db::Connection& conn, const std::string& batch_id,
                         const std::vector<RequestLog>& requests) {
  if (requests.empty()) return Status::Ok();
  CNAKE_ASSIGN_OR_RETURN(
      db::Appender app,
      db::Appender::CreateFor(
          conn, "api_requests",
          {"batch_id", "entry_id", "attempt", "endpoint", "http_status", "latency_ms", "error_type",
           "occurred_at", "prompt_tokens", "completion_tokens"}));
  for (const RequestLog& r : requests) {
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

Status MoveBatchCounters(db::Connection& conn, const std::string& batch_id, std::int64_t completed,
                         std::int64_t failed) {
  if (completed + failed == 0) return Status::Ok();
  return conn.ExecuteWith(
      "UPDATE batch_jobs SET processed_entries = coalesce(processed_entries, 0) + ?, "
      "successful_entries = coalesce(successful_entries, 0) + ?, "
      "failed_entries = coalesce(failed_entries, 0) + ?, updated_at = now() WHERE id = ?",
      completed + failed, completed, failed, batch_id);
}

}  // namespace cnake
