#include "cli/context.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ostream>

#include "store/lock_holder.h"

namespace cnake::cli {
namespace {

// `text` up to its first newline (DuckDB appends advice on further lines).
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return kExitUsage;
    case StatusCode::kNetwork:
    case StatusCode::kAuth:
    case StatusCode::kTimeout:
    case StatusCode::kHttp:
      return kExitApi;
    case StatusCode::kCancelled:
      return kExitInterrupted;
    case StatusCode::kLocked:
    case StatusCode::kOutOfMemory:
    case StatusCode::kReadOnly:
    case StatusCode::kDiskFull:
    case StatusCode::kSchemaMismatch:
    case StatusCode::kDatabase:
      return kExitDatabase;
    default:
      return kExitDatabase;
  }
}

int Fail(const Context& ctx, const Status& status) {
  PrintError(ctx, status);
  return ExitCodeFor(status);
}

std::string LockedMessage(const std::string& db_path, const Status& locked) {
  auto holder = LockHolderOf(locked);
  std::string who = holder ? fmt::format("{} (PID {})", holder->program, holder->pid)
                           : "another process (" + locked.message() + ")";
  const bool ours = holder && holder->program.find("cnake-charmer-client") != std::string::npos;
  std::string msg = fmt::format("database {} is locked by {}. ", db_path, who);
  if (ours) {
    msg +=
        "A cnake-charmer-client is running on it: use `status`, `stats` or `cancel`, which talk "
        "to the running process, or wait for it to finish.";
  } else {
    msg +=
        "That program is not cnake-charmer-client: close it (DuckDB lets only one process open "
        "a database file, even read-only), then retry.";
  }
  return msg;
}

void PrintError(const Context& ctx, const Status& status) {
  const std::string& message = status.message();
  if (status.code() == StatusCode::kLocked && LockHolderOf(status)) {
    *ctx.err << "error: " << LockedMessage(ctx.config().duckdb.db_path, status) << "\n";
    return;
  }
  if (status.code() != StatusCode::kOutOfMemory) {
    *ctx.err << "error: " << message << "\n";
    return;
  }
  // The database's own advice names SQL settings; this user's knob is a config key.
  *ctx.err << "error: " << FirstLine(message) << "\n"
           << "hint: DuckDB needed more memory than duckdb.memory_limit ("
           << ctx.config().duckdb.memory_limit
           << ") allows. Raise it (duckdb.memory_limit in the config file, or "
              "CNAKE_DUCKDB_MEMORY_LIMIT=256MB) and run the command again; the statement "
              "that failed changed nothing.\n";
}

namespace {

Result<std::unique_ptr<Store>> Open(const Context& ctx, bool read_only, bool create) {
  StoreConfig config;
  config.db_path = ctx.config().duckdb.db_path;
  config.tables = {ctx.config().duckdb.table_name, ctx.config().duckdb.result_table};
  config.memory_limit = ctx.config().duckdb.memory_limit;
  config.read_only = read_only;
  config.create_if_missing = create;
  auto store = cnake::OpenStore(config);
  if (store.ok()) return store;
  const Status& st = store.status();
  if (st.code() == StatusCode::kSchemaMismatch) {
    return Status(st.code(), "database " + config.db_path + ": " + st.message());
  }
  if (st.code() == StatusCode::kNotFound) {
    auto source = ctx.loaded.source.find("duckdb.db_path");
    return NotFound(fmt::format(
        "database {} does not exist (duckdb.db_path, from {}). Check the path (--db-path); "
        "`init` creates an empty database, `import` creates one and fills it",
        config.db_path, source == ctx.loaded.source.end() ? "default" : source->second));
  }
  return st;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const Context& ctx, bool read_only) {
  return Open(ctx, read_only, /*create=*/false);
}

Result<std::unique_ptr<Store>> CreateOrOpenStore(const Context& ctx) {
  return Open(ctx, /*read_only=*/false, /*create=*/true);
}

Result<std::unique_ptr<Store>> OpenStoreForReading(const Context& ctx) {
  auto store = OpenStore(ctx);
  const StatusCode code = store.ok() ? StatusCode::kOk : store.status().code();
  if (code != StatusCode::kDatabase && code != StatusCode::kReadOnly) return store;
  auto read_only = OpenStore(ctx, /*read_only=*/true);
  if (!read_only.ok()) return store;  // the read-write error names the first problem
  spdlog::info("opened {} read-only: {}", ctx.config().duckdb.db_path, store.status().message());
  return read_only;
}

}  // namespace cnake::cli
