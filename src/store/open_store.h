// Opens the store the configuration names: the DuckDB file at
// duckdb.db_path, or, when store.url is set, the PostgreSQL database it
// names (store/postgres/postgres_store.h).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"
#include "util/clock.h"

namespace cnake {

struct StoreConfig {
  std::string db_path;  // DuckDB file
  // postgresql://user@host:port/dbname (with libpq's options); empty: DuckDB.
  // May carry a password: never print it (Store::Describe() leaves it out).
  std::string url;
  TableNames tables;
  std::string memory_limit = "64MB";  // DuckDB's buffer manager
  int threads = 2;
  bool read_only = false;
  // False: a database that does not exist is an error (kNotFound) instead of
  // a new, empty one. Only the commands that fill a database (init, import)
  // create one, so that a mistyped path is not answered with zeros.
  bool create_if_missing = false;
  // PostgreSQL: how long a runner's leases last without a heartbeat, and
  // how often it renews them.
  Duration lease_time = std::chrono::seconds(30);
  Duration renew_interval = std::chrono::seconds(2);
};

// True when the configuration selects PostgreSQL.
inline bool IsPostgresUrl(const std::string& url) { return !url.empty(); }

// Errors: kNotFound (no such database, without create_if_missing), and
// those of the store's Open (kLocked, kSchemaMismatch, kReadOnly,
// kInvalidArgument for bad table names, kDatabase, also for a PostgreSQL
// server that cannot be reached).
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

}  // namespace cnake
