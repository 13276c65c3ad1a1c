// A store whose entries table a foreign tool created with a case-insensitive
// id (COLLATE NOCASE) before the client first opened it; the migration adds
// the client's columns. Test-only, header-only: for tests that link the store.
#pragma once

#include <string>

#include "store/duckdb/duckdb_store.h"

namespace cnake::testing {

inline const TableNames kNocaseTables{"nocase_entries", "python_entries"};

inline Result<std::unique_ptr<DuckDbStore>> OpenStoreWithNocaseIds(const std::string& path) {
  {
    CNAKE_ASSIGN_OR_RETURN(auto s, DuckDbStore::Open({path, kNocaseTables, {}}));
    CNAKE_RETURN_IF_ERROR(s->connection().Execute("DROP TABLE nocase_entries"));
    CNAKE_RETURN_IF_ERROR(s->connection().Execute(
        "CREATE TABLE nocase_entries (id VARCHAR COLLATE NOCASE PRIMARY KEY, code VARCHAR NOT "
        "NULL)"));
  }
  return DuckDbStore::Open({path, kNocaseTables, {}});
}

}  // namespace cnake::testing
