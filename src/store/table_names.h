// Checks on the configured table names, shared by every store: they must be
// plain identifiers (they are quoted as well), must not name the client's own
// tables, and must differ.
#pragma once

#include "store/types.h"
#include "util/status.h"

namespace cnake {

// Returns InvalidArgument naming the bad table name, before any SQL runs.
Status ValidateTableNames(const TableNames& names);

}  // namespace cnake
