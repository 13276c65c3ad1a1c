#include "cli/context.h"

#include <ostream>

namespace cnake::cli {

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
  *ctx.err << "error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

Result<Store> OpenStore(const Context& ctx, bool read_only) {
  StoreOptions options;
  options.path = ctx.config().duckdb.db_path;
  options.tables = {ctx.config().duckdb.table_name, ctx.config().duckdb.result_table};
  options.open.read_only = read_only;
  options.open.memory_limit = ctx.config().duckdb.memory_limit;
  auto store = Store::Open(options);
  if (store.ok()) return store;
  const Status& st = store.status();
  if (st.code() == StatusCode::kSchemaMismatch) {
    return Status(st.code(), "database " + options.path + ": " + st.message());
  }
  return st;
}

}  // namespace cnake::cli
