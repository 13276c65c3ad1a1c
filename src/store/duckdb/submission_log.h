// SubmissionLog: a small file beside a DuckDB database that makes a job's
// request_id durable before DuckDB commits it.
//
// Why: a job is polled only once its request_id is durable (so that a crash
// never makes the client post it again and pay twice). Through DuckDB that
// took a whole commit, about 9 ms of CPU whatever its size, and at zero
// delay the commits ran back to back on every job's path in groups of about
// 30 entries. Appending the request_ids here and syncing the file costs
// about a millisecond, so DuckDB commits the rest in large groups
// (docs/benchmarks.md, "The submissions' durability off DuckDB's commit").
//
// Contract: Append() returns once its records are on disk. Every DuckDB
// commit of the session that ran after an Append() holds those records'
// submissions too (the engine posts them in that order), so Clear() after a
// DuckDB commit empties the file. Records left behind (a crash) are applied
// at the next read-write open (ReplaySubmissionLog), where they change an
// entry only if it is in the record's batch, not final, and holds no
// request_id or an older submission: a record DuckDB had committed already
// changes nothing.
//
// Format: one line per record, "<SHA-256 hex of the JSON> <JSON>\n". A crash
// can tear the last append; the reader stops at the first line that is
// incomplete or whose hash does not match (nothing after it was
// acknowledged).
//
// Thread safety: one thread at a time. Internal to src/store/duckdb.
#pragma once

#include <string>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/types.h"

namespace cnake {

struct SubmissionRecord {
  std::string batch_id;
  Submitted submitted;
};

class SubmissionLog {
 public:
  // The log of the database at `db_path`.
  static std::string PathFor(const std::string& db_path);
  // Opens the log, creating it (mode 0600) when missing.
  static Result<SubmissionLog> Open(const std::string& path);
  SubmissionLog(SubmissionLog&& other) noexcept;
  SubmissionLog& operator=(SubmissionLog&& other) noexcept;
  SubmissionLog(const SubmissionLog&) = delete;
  SubmissionLog& operator=(const SubmissionLog&) = delete;
  ~SubmissionLog();

  // Appends the submissions and syncs the file.
  Status Append(const std::string& batch_id, const std::vector<Submitted>& submissions);
  // Empties the file (and syncs it) when anything was appended since the
  // last Clear().
  Status Clear();
  // Removes the file when it is empty; for the end of a session.
  void RemoveIfEmpty();

 private:
  SubmissionLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
  bool dirty_ = false;  // appended since the last Clear()
};

// The records of the log at `path`, up to the first torn line; none when
// there is no such file.
Result<std::vector<SubmissionRecord>> ReadSubmissionLog(const std::string& path);

// Applies the log at `path` to the entries (see the contract above), in
// DuckDB transactions through the journal, then removes it. Call after
// ReplayJournal, before anything reads the entries.
Status ReplaySubmissionLog(db::Connection& conn, const TableNames& tables, const std::string& path);

}  // namespace cnake
