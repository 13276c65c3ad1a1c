// The SQL that applies folded entry changes (store/entry_change.h) to the
// entries table, and the id filters the per-commit statements on the results
// table use without a join.
//
// Why without a join per commit: every hash join DuckDB runs registers ~17
// buffer handles that its eviction queue keeps alive long after the query
// ends, so a join per commit made the client's heap grow with the number of
// commits (~2.8 KB per join; bare-DuckDB replay and figures in
// docs/reliability.md, promise 6). Literal id lists, written as
// list_contains() so that DuckDB's IN-clause rewrite does not turn them back
// into a join, and byte-order bounds on the id, which let the scan skip row
// groups by their min/max, keep the heap flat. The entries table itself is
// updated only at a fold, once per few thousand entries, by a join (apply.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/entry_change.h"

namespace cnake {

// SQL condition: the entries the engine may still change, neither completed
// nor failed.
const std::string& UnfinishedEntrySql();

// The value of each per-entry field as a SQL expression: a column of the
// staged group table ("g.state").
struct ChangeFields {
  std::string kind, state, submitted, request_id, clear_request_id, submission_seq, attempts,
      last_error, python_id;
};

// "UPDATE <entries> SET ... <from_where> AND <unfinished>": moves only
// unfinished entries, so a final entry is never moved back.
//
// No RETURNING: DuckDB binds every column into an UPDATE that returns rows,
// the primary key included, and then runs it as a delete plus an insert of
// the whole row. Each commit then rewrote every changed entry (code and all)
// and left a delete marker per entry that stays in memory for the life of the
// process (docs/reliability.md, promise 6). Without it the update is in place.
std::string EntryUpdateSql(const std::string& entries, const ChangeFields& g,
                           const std::string& from_where);

// Fields read from the group table staged as temp.cnake_group, alias g.
ChangeFields StagedFields();

// "list_contains([<ids>], <column>) AND <column> BETWEEN '<min>' AND '<max>'",
// or nullopt when an id has a NUL byte. The bounds compare bytes, so the
// caller must only use this on columns without a COLLATE clause
// (IdsCompareBytewise); with one they could exclude rows that match.
std::optional<std::string> IdFilterSql(const std::string& column,
                                       const std::vector<std::string_view>& ids);

// True when neither table declares a collation, so that IdFilterSql's
// byte-order bounds agree with how DuckDB compares their ids.
Result<bool> IdsCompareBytewise(db::Connection& conn, const TableNames& tables);

}  // namespace cnake
