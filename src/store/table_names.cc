#include "store/table_names.h"

#include <algorithm>

#include "util/identifier.h"

namespace cnake {

Status ValidateTableNames(const TableNames& names) {
  for (const auto& [what, name] : {std::pair{"duckdb.table_name", &names.entries},
                                   std::pair{"duckdb.result_table", &names.results}}) {
    if (!IsValidIdentifier(*name)) {
      return InvalidArgument(std::string(what) + ": '" + *name +
                             "' is not a valid table name; use letters, digits and _ "
                             "(^[A-Za-z_][A-Za-z0-9_]{0,62}$)");
    }
  }
  static const char* kReserved[] = {"batch_jobs", "processing_errors", "api_requests", "cnake_meta",
                                    "cnake_journal"};
  for (const std::string* name : {&names.entries, &names.results}) {
    for (const char* reserved : kReserved) {
      std::string lower = *name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == reserved) {
        return InvalidArgument("table name '" + *name + "' is reserved for the client's own table");
      }
    }
  }
  std::string a = names.entries, b = names.results;
  std::transform(a.begin(), a.end(), a.begin(), ::tolower);
  std::transform(b.begin(), b.end(), b.begin(), ::tolower);
  if (a == b) return InvalidArgument("duckdb.table_name and duckdb.result_table must differ");
  return Status::Ok();
}

}  // namespace cnake
