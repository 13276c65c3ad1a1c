// FirstCell: the first column of a query's first row as text, for the
// store's tests that compare a whole table's state in one string.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "store/duckdb/duckdb_store.h"

namespace cnake::testing {

// "" when the query returns no rows; a failed query fails the test.
inline std::string FirstCell(DuckDbStore& s, const std::string& sql) {
  auto r = s.connection().Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  auto chunk = r->NextChunk();
  return chunk && chunk->size() > 0 ? std::string(chunk->GetString(0, 0)) : "";
}

}  // namespace cnake::testing
