#include "report/error_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "report/error_normalizer.h"
#include "report/performance.h"
#include "report/systemic_hints.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;
using PatternKey = std::tuple<std::string, int, std::string>;  // type, status (-1: none), pattern

void Note(ErrorPattern& p, const std::string& entry_id, const std::string& at) {
  ++p.count;
  if (p.first_seen.empty() || at < p.first_seen) p.first_seen = at;
  if (at > p.last_seen) p.last_seen = at;
  if (p.examples.size() < kMaxExamples) p.examples.push_back(entry_id);
}

template <typename T>
ordered_json Opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}

}  // namespace

Result<std::vector<ErrorPattern>> BuildErrorPatterns(Queries& queries, const Scope& scope) {
  std::map<PatternKey, ErrorPattern> groups;
  ErrorPattern other;
  other.error_type = "*";
  other.pattern = kOtherPatterns;
  CNAKE_RETURN_IF_ERROR(queries.ForEachFailure(scope, [&](const FailureRow& f) {
    PatternKey key{f.error_type, f.http_status.value_or(-1), NormalizeErrorMessage(f.message)};
    auto it = groups.find(key);
    if (it == groups.end()) {
      if (groups.size() >= kMaxPatterns) {
        Note(other, f.entry_id, f.occurred_at);
        return Status::Ok();
      }
      ErrorPattern p;
      p.error_type = std::get<0>(key);
      p.http_status = f.http_status;
      p.pattern = std::get<2>(key);
      it = groups.emplace(std::move(key), std::move(p)).first;
    }
    Note(it->second, f.entry_id, f.occurred_at);
    return Status::Ok();
  }));
  std::vector<ErrorPattern> out;
  out.reserve(groups.size() + 1);
  for (auto& [key, p] : groups) out.push_back(std::move(p));
  // std::map iteration gave (type, status, pattern) order; keep it for ties.
  std::stable_sort(out.begin(), out.end(),
                   [](const ErrorPattern& a, const ErrorPattern& b) { return a.count > b.count; });
  if (other.count > 0) out.push_back(std::move(other));
  return out;
}

Result<ErrorsDoc> BuildErrorReport(Queries& queries, const Scope& scope,
                                   const std::string& generated_at) {
  ErrorsDoc doc;
  doc.header = {generated_at, scope.batch_id};
  if (scope.batch_id) {
    CNAKE_ASSIGN_OR_RETURN(std::vector<ReportBatchRow> batches, queries.ReportBatches(scope));
    if (batches.empty()) return NoSuchBatch(*scope.batch_id);
  }
  CNAKE_ASSIGN_OR_RETURN(doc.patterns, BuildErrorPatterns(queries, scope));
  for (const ErrorPattern& p : doc.patterns) doc.failures += p.count;
  CNAKE_ASSIGN_OR_RETURN(doc.request_errors, queries.RequestErrors(scope));
  CNAKE_ASSIGN_OR_RETURN(doc.hints, HintsFromStore(queries, scope.batch_id.value_or("")));
  return doc;
}

ordered_json PatternJson(const ErrorPattern& p) {
  return {{"error_type", p.error_type}, {"http_status", Opt(p.http_status)},
          {"pattern", p.pattern},       {"count", p.count},
          {"first_seen", p.first_seen}, {"last_seen", p.last_seen},
          {"examples", p.examples}};
}

ordered_json ErrorsJson(const ErrorsDoc& doc) {
  ordered_json patterns = ordered_json::array();
  for (const ErrorPattern& p : doc.patterns) patterns.push_back(PatternJson(p));
  ordered_json request_errors = ordered_json::array();
  for (const RequestErrorRow& r : doc.request_errors) {
    request_errors.push_back({{"endpoint", r.endpoint},
                              {"error_type", r.error_type},
                              {"http_status", Opt(r.http_status)},
                              {"count", r.count},
                              {"first_seen", Opt(r.first_seen)},
                              {"last_seen", Opt(r.last_seen)}});
  }
  return {{"report_type", ReportTypeName(ReportType::kErrors)},
          {"schema_version", kReportSchemaVersion},
          {"generated_at", doc.header.generated_at},
          {"batch_id", Opt(doc.header.batch_id)},
          {"failures", doc.failures},
          {"hints", doc.hints},
          {"patterns", std::move(patterns)},
          {"request_errors", std::move(request_errors)}};
}

}  // namespace cnake::report
