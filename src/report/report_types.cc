#include "report/report_types.h"

#include <fmt/format.h>

namespace cnake::report {
namespace {

struct TypeName {
  std::string_view name;
  ReportType type;
};
// The first name of each type is its own; "error" is accepted for "errors".
constexpr TypeName kTypeNames[] = {{"summary", ReportType::kSummary},
                                   {"detailed", ReportType::kDetailed},
                                   {"errors", ReportType::kErrors},
                                   {"error", ReportType::kErrors}};

}  // namespace

Result<ReportType> ParseReportType(std::string_view name) {
  for (const TypeName& t : kTypeNames) {
    if (t.name == name) return t.type;
  }
  return InvalidArgument(
      fmt::format("unknown report type '{}'; use summary, detailed or errors", name));
}

std::vector<std::string> ReportTypeNames() {
  std::vector<std::string> names;
  for (const TypeName& t : kTypeNames) names.emplace_back(t.name);
  return names;
}

const char* ReportTypeName(ReportType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name.data();
  }
  return "?";
}

std::string ReportHeader::ScopeText() const {
  return batch_id ? "batch " + *batch_id : "all batches";
}

}  // namespace cnake::report
