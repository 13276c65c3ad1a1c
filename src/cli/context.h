// What every command receives: the effective configuration and where to
// write. Data goes to `out` (stdout), progress and diagnostics to `err`.
#pragma once

#include <iosfwd>
#include <string>

#include "config/config_loader.h"
#include "store/store.h"
#include "util/exit_codes.h"
#include "util/status.h"

namespace cnake::cli {

class SignalWatcher;

struct Context {
  LoadedConfig loaded;
  std::ostream* out;
  std::ostream* err;
  bool quiet = false;
  SignalWatcher* signals = nullptr;  // set by main; commands may install a handler

  const Config& config() const { return loaded.config; }
};

// Opens the configured database. On failure prints a message that names the
// problem and what to do, and returns the exit code to use.
Result<Store> OpenStore(const Context& ctx, bool read_only = false);
// For commands that only read (stats, status, export): read-write first, so
// an older schema is migrated as usual; when that fails for a reason other
// than a lock or the schema (a read-only disk or file), read-only, where
// they still work. Errors: those of the read-write open.
Result<Store> OpenStoreForReading(const Context& ctx);

// Maps a failure to the documented exit code.
int ExitCodeFor(const Status& status);

// Prints "error: <message>" to ctx.err and returns ExitCodeFor(status). A
// lock conflict names its holder; DuckDB running out of memory names
// duckdb.memory_limit instead of DuckDB's SQL advice.
int Fail(const Context& ctx, const Status& status);
// Prints "error: <message>", for DuckDB's out-of-memory error with the hint
// that names duckdb.memory_limit.
void PrintError(const Context& ctx, const std::string& message);

}  // namespace cnake::cli
