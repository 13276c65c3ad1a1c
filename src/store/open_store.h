// Opens the store the configuration names. Today that is the DuckDB file at
// duckdb.db_path; a store URL (store.url) will select others.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace cnake {

struct StoreConfig {
  std::string db_path;  // DuckDB file
  TableNames tables;
  std::string memory_limit = "64MB";  // DuckDB's buffer manager
  int threads = 2;
  bool read_only = false;
};

// Errors: those of the store's Open (kLocked, kSchemaMismatch, kReadOnly,
// kInvalidArgument for bad table names, kDatabase).
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

}  // namespace cnake
