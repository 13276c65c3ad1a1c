#include "report/error_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "report/error_normalizer.h"
#include "report/report_sql.h"
#include "report/systemic_hints.h"
#include "store/duckdb/queries.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;
using PatternKey = std::tuple<std::string, int, std::string>;  // type, status (-1: none), pattern

constexpr std::int64_t kPageRows = 10000;

void Note(ErrorPattern& p, const std::string& entry_id, const std::string& at) {
  ++p.count;
  if (p.first_seen.empty() || at < p.first_seen) p.first_seen = at;
  if (at > p.last_seen) p.last_seen = at;
  if (p.examples.size() < kMaxExamples) p.examples.push_back(entry_id);
}

}  // namespace

Result<std::vector<ErrorPattern>> BuildErrorPatterns(db::Connection& conn, const Scope& scope) {
  std::map<PatternKey, ErrorPattern> groups;
  ErrorPattern other;
  other.error_type = "*";
  other.pattern = kOtherPatterns;
  // Keyset pages over rowid: memory stays bounded by the page and the groups.
  const std::string sql = fmt::format(
      "SELECT rowid, entry_id, coalesce(error_type, 'unknown'), coalesce(http_status, -1), "
      "coalesce(error_message, ''), coalesce({}, '') FROM processing_errors pe WHERE {} AND "
      "rowid > $2 ORDER BY rowid LIMIT {}",
      IsoTime("occurred_at"), ScopeCondition("pe"), kPageRows);
  std::int64_t after = -1;
  for (;;) {
    CNAKE_ASSIGN_OR_RETURN(db::QueryResult rows, conn.QueryWith(sql, scope.batch_id, after));
    std::int64_t n = 0;
    while (auto c = rows.NextChunk()) {
      for (std::size_t r = 0; r < c->size(); ++r, ++n) {
        after = c->GetInt64(0, r);
        const std::string entry(c->GetString(1, r)), at(c->GetString(5, r));
        PatternKey key{std::string(c->GetString(2, r)), c->GetInt32(3, r),
                       NormalizeErrorMessage(c->GetString(4, r))};
        auto it = groups.find(key);
        if (it == groups.end()) {
          if (groups.size() >= kMaxPatterns) {
            Note(other, entry, at);
            continue;
          }
          ErrorPattern p;
          p.error_type = std::get<0>(key);
          if (std::get<1>(key) >= 0) p.http_status = std::get<1>(key);
          p.pattern = std::get<2>(key);
          it = groups.emplace(std::move(key), std::move(p)).first;
        }
        Note(it->second, entry, at);
      }
    }
    if (n < kPageRows) break;
  }
  std::vector<ErrorPattern> out;
  out.reserve(groups.size() + 1);
  for (auto& [key, p] : groups) out.push_back(std::move(p));
  // std::map iteration gave (type, status, pattern) order; keep it for ties.
  std::stable_sort(out.begin(), out.end(),
                   [](const ErrorPattern& a, const ErrorPattern& b) { return a.count > b.count; });
  if (other.count > 0) out.push_back(std::move(other));
  return out;
}

ordered_json PatternJson(const ErrorPattern& p) {
  return {{"error_type", p.error_type},
          {"http_status", p.http_status ? ordered_json(*p.http_status) : ordered_json()},
          {"pattern", p.pattern},
          {"count", p.count},
          {"first_seen", p.first_seen},
          {"last_seen", p.last_seen},
          {"examples", p.examples}};
}

Result<ordered_json> BuildErrorReport(db::Connection& conn, const Scope& scope,
                                      const std::string& generated_at) {
  CNAKE_RETURN_IF_ERROR(CheckBatchExists(conn, scope));
  CNAKE_ASSIGN_OR_RETURN(std::vector<ErrorPattern> patterns, BuildErrorPatterns(conn, scope));
  std::int64_t failed = 0;
  ordered_json pattern_list = ordered_json::array();
  for (const ErrorPattern& p : patterns) {
    failed += p.count;
    pattern_list.push_back(PatternJson(p));
  }
  ordered_json request_errors = ordered_json::array();
  CNAKE_RETURN_IF_ERROR(ForEachRow(
      conn,
      fmt::format("SELECT coalesce(endpoint, '?'), error_type, http_status, count(*), {}, {} "
                  "FROM api_requests a WHERE {} AND error_type IS NOT NULL GROUP BY 1, 2, 3 "
                  "ORDER BY 4 DESC, 1, 2, 3",
                  IsoTime("min(occurred_at)"), IsoTime("max(occurred_at)"), ScopeCondition("a")),
      scope, [&](const db::DataChunk& c, std::size_t r) {
        request_errors.push_back(
            {{"endpoint", std::string(c.GetString(0, r))},
             {"error_type", std::string(c.GetString(1, r))},
             {"http_status", c.IsNull(2, r) ? ordered_json() : ordered_json(c.GetInt32(2, r))},
             {"count", c.GetInt64(3, r)},
             {"first_seen",
              c.IsNull(4, r) ? ordered_json() : ordered_json(std::string(c.GetString(4, r)))},
             {"last_seen",
              c.IsNull(5, r) ? ordered_json() : ordered_json(std::string(c.GetString(5, r)))}});
      }));
  DuckDbQueries queries(conn, scope.tables);
  CNAKE_ASSIGN_OR_RETURN(std::vector<std::string> hints,
                         HintsFromStore(queries, scope.batch_id.value_or("")));
  return ordered_json{{"report_type", "errors"},
                      {"schema_version", kReportSchemaVersion},
                      {"generated_at", generated_at},
                      {"batch_id", scope.batch_id ? ordered_json(*scope.batch_id) : ordered_json()},
                      {"failures", failed},
                      {"hints", hints},
                      {"patterns", std::move(pattern_list)},
                      {"request_errors", std::move(request_errors)}};
}

}  // namespace cnake::report
