// What every command receives: the effective configuration and where to
// write. Data goes to `out` (stdout), progress and diagnostics to `err`.
#pragma once

#include <iosfwd>
#include <string>

#include "config/config_loader.h"
#include "store/open_store.h"
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

// Opens the configured database, which must exist: a missing one is
// kNotFound, with a message naming the path and where it came from.
Result<std::unique_ptr<Store>> OpenStore(const Context& ctx, bool read_only = false);
// Opens the configured database, creating it when it does not exist: for
// the commands that fill one (init, import).
Result<std::unique_ptr<Store>> CreateOrOpenStore(const Context& ctx);
// For commands that only read (stats, status, export): read-write first, so
// an older schema is migrated as usual; when that fails for a reason other
// than a lock or the schema (a read-only disk or file), read-only, where
// they still work. Errors: those of the read-write open.
Result<std::unique_ptr<Store>> OpenStoreForReading(const Context& ctx);

// Maps a failure to the documented exit code.
int ExitCodeFor(const Status& status);

// Prints "error: <message>" to ctx.err and returns ExitCodeFor(status),
// with advice for the codes that have one: a lock conflict names its holder
// and what to do; running out of the database's memory names
// duckdb.memory_limit.
int Fail(const Context& ctx, const Status& status);
// What Fail prints, without the exit code.
void PrintError(const Context& ctx, const Status& status);

// A user-facing explanation of a kLocked status: who holds the database and
// what to do.
std::string LockedMessage(const std::string& db_path, const Status& locked);

}  // namespace cnake::cli
