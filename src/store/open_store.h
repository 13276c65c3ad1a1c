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
  // False: a database that does not exist is an error (kNotFound) instead of
  // a new, empty one. Only the commands that fill a database (init, import)
  // create one, so that a mistyped path is not answered with zeros.
  bool create_if_missing = false;
};

// Errors: kNotFound (no such database, without create_if_missing), and
// those of the store's Open (kLocked, kSchemaMismatch, kReadOnly,
// kInvalidArgument for bad table names, kDatabase).
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

}  // namespace cnake
