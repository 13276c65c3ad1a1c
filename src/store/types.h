// The plain data that crosses the storage seam (store.h): entries, batches,
// claims, and the groups of changes the engine commits. No behaviour here.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/states.h"
#include "util/clock.h"

namespace cnake {

// The configured names of the two user tables; the client's own tables
// (batch_jobs, processing_errors, api_requests, cnake_meta) have fixed names.
struct TableNames {
  std::string entries = "cython_entries";
  std::string results = "python_entries";
};

struct Entry {
  std::string id;
  std::string code;
  std::optional<std::string> description;
  std::optional<std::string> metadata_json;
  std::optional<std::string> tags_json;
  EntryState state = EntryState::kPending;
  std::optional<std::string> python_id;
  std::optional<std::string> batch_id;
  std::optional<std::string> request_id;
  int attempts = 0;
  int submission_seq = 0;
  std::optional<std::string> last_error;
  // The batch whose id the Idempotency-Key of the current submission is
  // derived from, when that is not batch_id: set when a new batch adopts the
  // entry from a stopped one, so that a POST the stopped batch may have sent
  // is repeated under the same key (never paid twice). Cleared when a new
  // job is wanted from scratch (a claim, changed code).
  std::optional<std::string> key_batch_id;
};

// Selects entries by tag and id prefix; empty fields do not filter.
struct EntryFilter {
  std::string tag;
  std::string id_prefix;
};

struct EntryInput {
  std::string id;
  std::string code;
  std::optional<std::string> description;
  std::vector<std::string> tags;
  std::optional<nlohmann::json> metadata;
};

struct UpsertCounts {
  std::int64_t inserted = 0;
  std::int64_t updated = 0;  // code changed: updated and reset to pending
  std::int64_t unchanged = 0;
  std::vector<std::string> updated_ids;  // at most kMaxListedIds
  static constexpr std::size_t kMaxListedIds = 50;
};

// What a schema migration did (init prints it).
struct MigrationReport {
  std::vector<std::string> created_tables;
  std::vector<std::string> added_columns;  // "table.column"
  int from_version = 0;
  int schema_version = 0;  // the version the database has now
  bool changed() const { return !created_tables.empty() || !added_columns.empty(); }
};

// --- Batches ---

struct BatchRecord {
  std::string id;
  BatchStatus status = BatchStatus::kUnknown;
  std::string status_text;  // as stored; differs from the name only for kUnknown
  std::int64_t total = 0, processed = 0, successful = 0, failed = 0;
  std::string started_at, completed_at;  // ISO 8601 text, empty when NULL
  // Summed over the runs that reached their end; nullopt when none has (or
  // not read: Statistics::recent_batches leaves them unset).
  std::optional<double> retry_after_wait_seconds, breaker_open_seconds;
};

struct BatchUpdate {
  std::optional<BatchStatus> status;
  std::optional<SystemTimePoint> completed_at;
  std::optional<std::string> stop_reason;
  // This run's waits, added to the batch's totals (a run that never reaches
  // its end, such as after kill -9, adds nothing).
  std::optional<double> add_retry_after_wait_seconds, add_breaker_open_seconds;
  // With status kCompleted: the batch's request-log figures
  // (store/request_summary.h), kept until a later update sets another status.
  // A store may ignore it (its reads then compute the figures).
  std::optional<std::string> request_summary;
};

// A batch's entries by state.
struct BatchCounts {
  std::int64_t total = 0, pending = 0, submitted = 0, processing = 0, retrying = 0, completed = 0,
               failed = 0;
  std::int64_t finished() const { return completed + failed; }
  void Add(EntryState state, std::int64_t n);
  std::int64_t Of(EntryState state) const;
};

struct Statistics {
  std::int64_t total_entries = 0;
  std::map<EntryState, std::int64_t> by_state;         // every state, zero included
  std::map<std::string, std::int64_t> unknown_states;  // states another tool wrote
  std::int64_t python_entries = 0;
  std::int64_t errors = 0;
  std::int64_t batches = 0;
  std::vector<BatchRecord> recent_batches;  // newest first, at most 20
};

// Which entries a new batch takes.
struct ClaimOptions {
  std::int64_t limit = 50;
  EntryFilter filter;
  bool retry_failed = false;  // also claim failed entries (as new jobs)
  // Batches whose unfinished entries (matching the filter) the new batch
  // adopts, before any new entry: they keep their state, request_id (polled,
  // never posted again), attempts and submission (key_batch_id keeps its
  // Idempotency-Key), and their old batch's total drops by as many. Only
  // batches no live runner holds (BatchLifecycle decides).
  std::vector<std::string> adopt_from;
};

// The unfinished entries (not completed or failed) one batch owns.
struct BatchWork {
  BatchRecord batch;
  std::int64_t unfinished = 0;
  std::int64_t with_request_id = 0;  // of those: a job at the API, to be polled
};

// A batch record to create together with its claim.
struct NewBatch {
  std::string id;
  nlohmann::json options;  // remembered for resume (never the API key itself)
  SystemTimePoint started_at{};
};

// What a claim would take (process --dry-run).
struct ClaimPreview {
  std::int64_t count = 0;
  std::vector<std::string> sample_ids;  // the first few
};

// --- A group of changes the engine commits in one transaction ---

struct Submitted {
  std::string entry_id;
  std::string request_id;
  int submission_seq = 0;
  int attempts = 0;
};
struct StateChange {
  std::string entry_id;
  EntryState state = EntryState::kPending;  // submitted, processing, retrying or pending
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
  SystemTimePoint occurred_at{};
  // Tokens the API reported for this request (chat protocol); nullopt when
  // it reported none. Stored in api_requests.prompt_tokens / completion_tokens.
  std::optional<std::int64_t> prompt_tokens, completion_tokens;
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

}  // namespace cnake
