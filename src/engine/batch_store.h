// The processing engine's durable state in the store: claiming entries for a
// batch, reading a batch's unfinished entries, and committing groups of state
// changes atomically.
//
// Invariants kept here (docs/engine.md):
// - An entry belongs to at most one batch (batch_id), set when claimed.
// - A committed request_id is the job the entry is waiting for; while the
//   entry is not final it is polled, never submitted again.
// - A result (python row, entry update, batch counters) commits atomically;
//   the batch counters move by the number of entries the group took from
//   unfinished to completed/failed, in the same transaction, so they always
//   equal a recount of the entries' actual states.
//
// Thread safety: functions use the connection they are given; one thread per
// connection.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace cnake::engine {

struct ClaimOptions {
  std::int64_t limit = 50;
  EntryFilter filter;
  bool retry_failed = false;  // also claim failed entries (as new jobs)
  bool dry_run = false;       // count and list, change nothing
};

struct ClaimResult {
  std::int64_t claimed = 0;
  std::vector<std::string> sample_ids;  // the first few, for --dry-run
};

// Creates nothing; marks up to `limit` pending (and with retry_failed, failed)
// entries as belonging to `batch_id` and sets the batch's total_entries.
Result<ClaimResult> ClaimEntries(Store& store, const std::string& batch_id,
                                 const ClaimOptions& options);

// Creates a batch record (status running, `batch_options` as its options) and
// claims its entries as ClaimEntries does, in one transaction: after a failed
// claim or a crash during it, neither the batch nor any claim remains.
// `options.dry_run` is ignored.
struct NewBatch {
  std::string id;
  std::int64_t claimed = 0;
};
Result<NewBatch> ClaimNewBatch(Store& store, const nlohmann::json& batch_options,
                               const ClaimOptions& options);

// Entries of the batch not yet completed or failed, ordered so that those with
// a stored request_id come first, then by id; keyset pagination on
// (has_request, id).
struct BatchCursor {
  int pass = 0;  // 0: entries with a request_id, 1: the others, 2: done
  std::string after_id;
};
Result<std::vector<Entry>> LoadUnfinished(Store& store, const std::string& batch_id,
                                          BatchCursor& cursor, std::size_t limit);

struct Submitted {
  std::string entry_id;
  std::string request_id;
  int submission_seq = 0;
  int attempts = 0;
};
struct StateChange {
  std::string entry_id;
  std::string state;  // submitted, processing, retrying, pending
  int attempts = 0;
  std::optional<std::string> last_error;
  bool clear_request_id = false;  // a lost job: the next submission is a new job
  int submission_seq = 0;
};
struct Completion {
  std::string entry_id;
  std::string python;
  nlohmann::json metadata;
  int attempts = 0;
};
struct Failure {
  std::string entry_id;
  std::string error_type;
  std::string message;
  int http_status = 0;
  int attempts = 0;
  std::string request_id;
  std::string endpoint;
};
struct RequestLog {
  std::string entry_id;
  int attempt = 0;
  std::string endpoint;
  int http_status = 0;
  double latency_ms = 0;
  std::string error_type;
};

struct WriteGroup {
  std::vector<Submitted> submitted;
  std::vector<StateChange> state_changes;
  std::vector<Completion> completions;
  std::vector<Failure> failures;
  std::vector<RequestLog> requests;
  bool empty() const {
    return submitted.empty() && state_changes.empty() && completions.empty() && failures.empty() &&
           requests.empty();
  }
  std::size_t size() const {
    return submitted.size() + state_changes.size() + completions.size() + failures.size() +
           requests.size();
  }
};

struct BatchCounts {
  std::int64_t total = 0, pending = 0, submitted = 0, processing = 0, retrying = 0, completed = 0,
               failed = 0;
  std::int64_t finished() const { return completed + failed; }
};

// Commits everything in `group` in one transaction and moves the batch
// counters. On error nothing of the group is committed. `bytewise_ids`: the
// tables' ids compare byte by byte (IdsCompareBytewise in entry_changes.h),
// so the commit can filter by literal ids and bounds instead of joins, which
// keeps DuckDB's memory from growing with the number of commits; false is
// always correct.
Status CommitGroup(db::Connection& conn, const TableNames& tables, const std::string& batch_id,
                   const WriteGroup& group, bool bytewise_ids);

Result<BatchCounts> CountBatch(db::Connection& conn, const TableNames& tables,
                               const std::string& batch_id);

// The batch's stored options (JSON), or nullopt when there is no such batch.
Result<std::optional<nlohmann::json>> BatchOptions(Store& store, const std::string& batch_id);

}  // namespace cnake::engine
