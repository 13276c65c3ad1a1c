// Applying folded entry changes (store/entry_change.h) to the entries table.
//
// One UPDATE per kind of change, by literal ids when the ids compare byte by
// byte (no join: entry_changes.h says why), else, or for entries the literal
// form missed, joined with a staged copy of the changes. Only unfinished
// entries change, so a final entry is never moved back and the row counts
// are exact transitions. Internal to src/store/duckdb; runs in the caller's
// transaction.
#pragma once

#include <string>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/entry_change.h"

namespace cnake {

// How many entries the changes took from unfinished to completed / failed.
struct Transitions {
  std::int64_t completed = 0, failed = 0;
};

// `entries` is the quoted entries table.
Result<Transitions> ApplyEntryChanges(db::Connection& conn, const std::string& entries,
                                      const std::vector<EntryChange>& changes, bool bytewise_ids);

}  // namespace cnake
