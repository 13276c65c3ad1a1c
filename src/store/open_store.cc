#include "store/open_store.h"

#include "store/duckdb/duckdb_store.h"
#include "store/lock_holder.h"

namespace cnake {

Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config) {
  StoreOptions options;
  options.path = config.db_path;
  options.tables = config.tables;
  options.open.read_only = config.read_only;
  options.open.memory_limit = config.memory_limit;
  options.open.threads = config.threads;
  options.create_if_missing = config.create_if_missing;
  CNAKE_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbStore> store, DuckDbStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace cnake

namespace cnake {

std::optional<LockHolder> LockHolderOf(const Status& locked) {
  if (locked.code() != StatusCode::kLocked) return std::nullopt;
  auto holder = db::ParseLockConflict(locked.message());
  if (!holder) return std::nullopt;
  return LockHolder{holder->program, holder->pid};
}

}  // namespace cnake
