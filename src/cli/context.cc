#include "cli/context.h"

#include <spdlog/spdlog.h>

#include <ostream>

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
    default:
      return kExitDatabase;
  }
}

int Fail(const Context& ctx, const Status& status) {
  if (status.code() == StatusCode::kLocked && db::ParseLockConflict(status.message())) {
    *ctx.err << "error: " << LockedMessage(ctx.config().duckdb.db_path, status) << "\n";
    return ExitCodeFor(status);
  }
  PrintError(ctx, status.message());
  return ExitCodeFor(status);
}

void PrintError(const Context& ctx, const std::string& message) {
  if (message.find("Out of Memory Error") == std::string::npos) {
    *ctx.err << "error: " << message << "\n";
    return;
  }
  // DuckDB's own advice names SQL settings; this user's knob is a config key.
  *ctx.err << "error: " << FirstLine(message) << "\n"
           << "hint: DuckDB needed more memory than duckdb.memory_limit ("
           << ctx.config().duckdb.memory_limit
           << ") allows. Raise it (duckdb.memory_limit in the config file, or "
              "CNAKE_DUCKDB_MEMORY_LIMIT=256MB) and run the command again; the statement "
              "that failed changed nothing.\n";
}

namespace {

Result<Store> OpenStoreWith(const Context& ctx, db::OpenOptions open) {
  StoreOptions options;
  options.path = ctx.config().duckdb.db_path;
  options.tables = {ctx.config().duckdb.table_name, ctx.config().duckdb.result_table};
  options.open = std::move(open);
  options.open.memory_limit = ctx.config().duckdb.memory_limit;
  auto store = Store::Open(options);
  if (store.ok()) return store;
  const Status& st = store.status();
  if (st.code() == StatusCode::kSchemaMismatch) {
    return Status(st.code(), "database " + options.path + ": " + st.message());
  }
  return st;
}

}  // namespace

Result<Store> OpenStore(const Context& ctx, bool read_only) {
  db::OpenOptions open;
  open.read_only = read_only;
  return OpenStoreWith(ctx, open);
}

Result<Store> OpenStoreForReading(const Context& ctx) {
  auto store = OpenStore(ctx);
  if (store.ok() || store.status().code() != StatusCode::kDatabase) return store;
  auto read_only = OpenStore(ctx, /*read_only=*/true);
  if (!read_only.ok()) return store;  // the read-write error names the first problem
  spdlog::info("opened {} read-only: {}", ctx.config().duckdb.db_path, store.status().message());
  return read_only;
}

}  // namespace cnake::cli
