// WriteFault: the first failed write of one DuckDB instance, shared by every
// connection, prepared statement and appender made from it (duckdb.h).
//
// Why: DuckDB 1.4.4 does not survive a commit whose WAL write fails (a full
// disk). The failed entry stays half-written in the WAL, and the next commit
// through the same instance was replayed garbled at the next open: strings of
// the failed commit's rows run together into the new rows, so an entry was
// marked completed while its result row carried another id
// (docs/reliability.md, promise 12; scripts/disk_full_repro.sh). After the
// first such failure nothing more goes through the instance: every statement,
// reads included (telling them apart would take a parse), is refused with the
// first error, and the next open replays the WAL up to the last commit that
// was written whole.
//
// Thread safety: all members may be called from any thread.
#pragma once

#include <mutex>
#include <optional>
#include <string_view>

#include "util/status.h"

namespace cnake::db {

// Whether a DuckDB error message says a write to the file failed: a commit
// that could not write or sync its WAL, or a full disk anywhere.
bool IsWriteFailure(std::string_view duckdb_message);

class WriteFault {
 public:
  // Keeps `error` if `duckdb_message` is a write failure and none is kept yet.
  void Note(std::string_view duckdb_message, const Status& error);
  // Ok until a write failed; then the refusal for any further statement:
  // the first failure's code, naming it.
  Status Check() const;

 private:
  mutable std::mutex mu_;
  std::optional<Status> first_;
};

}  // namespace cnake::db
