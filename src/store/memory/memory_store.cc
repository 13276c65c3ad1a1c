#include "store/memory/memory_store.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "store/entry_change.h"
#include "store/memory/memory_queries.h"
#include "util/time_format.h"

namespace cnake {
namespace {

constexpr std::size_t kSampleIds = 20;

std::string PythonIdOf(const std::string& entry_id) { return "py:" + entry_id; }

bool HasTag(const std::optional<std::string>& tags_json, const std::string& tag) {
  if (!tags_json) return false;
  auto tags = nlohmann::json::parse(*tags_json, nullptr, false);
  if (!tags.is_array()) return false;
  return std::any_of(tags.begin(), tags.end(),
                     [&](const nlohmann::json& t) { return t.is_string() && t == tag; });
}

}  // namespace

// One runner's session: leases, commits and renewals under the store's mutex.
class MemoryWorkSession final : public WorkSession {
 public:
  MemoryWorkSession(MemoryStore& store, std::string batch_id, std::string runner,
                    LocalRunners::Registration registration)
      : store_(store),
        batch_id_(std::move(batch_id)),
        runner_(std::move(runner)),
        registration_(std::move(registration)) {}

  Result<std::vector<Entry>> Lease(std::size_t limit) override {
    std::lock_guard lock(store_.mu_);
    const TimePoint now = store_.clock_.Now();
    std::vector<Entry> out;
    for (const bool with_request : {true, false}) {
      for (auto& [id, row] : store_.rows_) {
        if (out.size() >= limit) return out;
        if (!Leasable(row, now) || row.entry.request_id.has_value() != with_request) continue;
        row.lease_owner = runner_;
        row.lease_expiry = AddSaturating(now, store_.lease_time_);
        handed_out_.insert(id);
        out.push_back(row.entry);
      }
    }
    return out;
  }

  Result<bool> Drained() override {
    std::lock_guard lock(store_.mu_);
    for (const auto& [id, row] : store_.rows_) {
      if (Unfinished(row) && !(Mine(row) && handed_out_.count(id))) return false;
    }
    return true;
  }

  Status Commit(const WriteGroup& group) override {
    std::lock_guard lock(store_.mu_);
    if (!store_.commit_failure_.ok()) return store_.commit_failure_;
    auto batch = store_.batches_.find(batch_id_);
    if (batch == store_.batches_.end()) return NotFound("no batch " + batch_id_);
    for (const EntryChange& change : Fold(group)) {
      auto it = store_.rows_.find(change.entry_id);
      if (it == store_.rows_.end() || !Unfinished(it->second)) continue;
      if (!it->second.lease_owner.empty() && !Mine(it->second)) continue;  // taken over
      Apply(change, it->second, batch->second);
    }
    for (const RequestLog& r : group.requests) {
      store_.requests_.push_back(r);
      store_.request_batches_.push_back(batch_id_);
    }
    return Status::Ok();
  }

  Result<LeaseState> Renew() override {
    std::lock_guard lock(store_.mu_);
    const TimePoint now = store_.clock_.Now();
    for (auto& [id, row] : store_.rows_) {
      if (Mine(row) && Unfinished(row)) row.lease_expiry = AddSaturating(now, store_.lease_time_);
    }
    LeaseState state;
    auto batch = store_.batches_.find(batch_id_);
    state.cancelled =
        batch != store_.batches_.end() && batch->second.record.status == BatchStatus::kCancelled;
    return state;
  }

  Status Release() override {
    {
      std::lock_guard lock(store_.mu_);
      for (auto& [id, row] : store_.rows_) {
        if (Mine(row)) row.lease_owner.clear();
      }
    }
    registration_.Release();
    return Status::Ok();
  }

  Result<BatchCounts> Counts() override {
    std::lock_guard lock(store_.mu_);
    return store_.CountLocked(batch_id_);
  }

 private:
  bool Unfinished(const MemoryStore::Row& row) const {
    return row.entry.batch_id == batch_id_ && !IsFinal(row.entry.state);
  }
  bool Mine(const MemoryStore::Row& row) const { return row.lease_owner == runner_; }
  bool Leasable(const MemoryStore::Row& row, TimePoint now) const {
    if (!Unfinished(row) || handed_out_.count(row.entry.id)) return false;
    return row.lease_owner.empty() || Mine(row) || row.lease_expiry <= now;
  }

  void Apply(const EntryChange& c, MemoryStore::Row& row, MemoryStore::Batch& batch) {
    Entry& e = row.entry;
    e.attempts = static_cast<int>(c.attempts);
    if (c.submission_seq) e.submission_seq = static_cast<int>(*c.submission_seq);
    switch (c.kind) {
      case ChangeKind::kCompleted:
        e.state = EntryState::kCompleted;
        e.python_id = PythonIdOf(e.id);
        e.last_error.reset();
        store_.results_[e.id] = {*e.python_id, c.completion->python, c.completion->metadata,
                                 store_.clock_.WallNow()};
        row.processed_at = store_.clock_.WallNow();
        ++batch.record.processed;
        ++batch.record.successful;
        batch.updated_at = store_.clock_.WallNow();
        row.lease_owner.clear();
        return;
      case ChangeKind::kFailed: {
        const Failure& f = *c.failure;
        e.state = EntryState::kFailed;
        e.last_error = c.last_error;
        store_.errors_.push_back({e.id, batch_id_, f.error_type, f.message, f.request_id,
                                  f.endpoint, f.http_status, f.attempts, store_.clock_.WallNow()});
        row.processed_at = store_.clock_.WallNow();
        ++batch.record.processed;
        ++batch.record.failed;
        batch.updated_at = store_.clock_.WallNow();
        row.lease_owner.clear();
        return;
      }
      case ChangeKind::kNotFinal:
        e.state = c.state;
        if (c.last_error) e.last_error = c.last_error;
        if (c.clear_request_id) {
          e.request_id.reset();
        } else if (c.submitted) {
          e.request_id = c.request_id;
        }
        return;
    }
  }

  MemoryStore& store_;
  std::string batch_id_;
  std::string runner_;
  std::set<std::string> handed_out_;
  LocalRunners::Registration registration_;
};

MemoryStore::MemoryStore(Clock& clock, Duration lease_time)
    : clock_(clock), lease_time_(lease_time) {
  queries_ = std::make_unique<MemoryQueries>(*this);
}

MemoryStore::~MemoryStore() = default;

Queries& MemoryStore::queries() { return *queries_; }

bool MemoryStore::Matches(const Entry& e, const EntryFilter& filter) const {
  if (!filter.id_prefix.empty() && e.id.rfind(filter.id_prefix, 0) != 0) return false;
  return filter.tag.empty() || HasTag(e.tags_json, filter.tag);
}

bool MemoryStore::Candidate(const Row& row, const ClaimOptions& options) const {
  const Entry& e = row.entry;
  const bool failed = e.state == EntryState::kFailed;
  if (!(e.state == EntryState::kPending || (options.retry_failed && failed))) return false;
  if (e.batch_id && !failed) return false;
  return Matches(e, options.filter);
}

std::int64_t MemoryStore::AdoptLocked(const std::string& batch_id, const ClaimOptions& options) {
  const std::set<std::string> from(options.adopt_from.begin(), options.adopt_from.end());
  std::int64_t adopted = 0;
  for (auto& [id, row] : rows_) {
    if (adopted >= options.limit) break;
    Entry& e = row.entry;
    if (!e.batch_id || !from.count(*e.batch_id) || IsFinal(e.state)) continue;
    if (!Matches(e, options.filter)) continue;
    if (auto old = batches_.find(*e.batch_id); old != batches_.end()) --old->second.record.total;
    if (!e.key_batch_id) e.key_batch_id = e.batch_id;
    e.batch_id = batch_id;
    row.lease_owner.clear();
    ++adopted;
  }
  return adopted;
}

Result<std::int64_t> MemoryStore::ClaimNewBatch(const NewBatch& batch,
                                                const ClaimOptions& options) {
  std::lock_guard lock(mu_);
  if (batches_.count(batch.id)) return Status(StatusCode::kAlreadyExists, "batch " + batch.id);
  Batch& b = batches_[batch.id];
  b.record.id = batch.id;
  b.record.status = BatchStatus::kRunning;
  b.record.status_text = std::string(BatchStatusName(BatchStatus::kRunning));
  b.record.started_at = FormatIsoUtc(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(batch.started_at));
  b.options = batch.options;
  b.started_at = b.updated_at = batch.started_at;
  std::int64_t claimed = AdoptLocked(batch.id, options);
  for (auto& [id, row] : rows_) {
    if (claimed >= options.limit) break;
    if (!Candidate(row, options)) continue;
    Entry& e = row.entry;
    if (e.state == EntryState::kFailed) ++e.submission_seq;
    e.batch_id = batch.id;
    e.state = EntryState::kPending;
    e.request_id.reset();
    e.key_batch_id.reset();
    e.attempts = 0;
    e.last_error.reset();
    ++claimed;
  }
  if (claimed == 0) {
    batches_.erase(batch.id);  // a claim that found nothing leaves no batch
    return claimed;
  }
  b.record.total = claimed;
  return claimed;
}

Result<std::vector<BatchWork>> MemoryStore::UnfinishedWork(const EntryFilter& filter) {
  std::lock_guard lock(mu_);
  std::map<std::string, BatchWork> by_batch;
  for (const auto& [id, row] : rows_) {
    const Entry& e = row.entry;
    if (!e.batch_id || IsFinal(e.state) || !batches_.count(*e.batch_id)) continue;
    if (!Matches(e, filter)) continue;
    BatchWork& w = by_batch[*e.batch_id];
    ++w.unfinished;
    if (e.request_id) ++w.with_request_id;
  }
  std::vector<BatchWork> out;
  for (auto& [id, w] : by_batch) {
    w.batch = batches_.at(id).record;
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const BatchWork& a, const BatchWork& b) {
    return std::tie(a.batch.started_at, a.batch.id) < std::tie(b.batch.started_at, b.batch.id);
  });
  return out;
}

Result<std::vector<RunnerStatus>> MemoryStore::LiveRunners(const std::string& batch_id) {
  return runners_->Of(batch_id);
}

Result<ClaimPreview> MemoryStore::PreviewClaim(const ClaimOptions& options) {
  std::lock_guard lock(mu_);
  ClaimPreview preview;
  for (const auto& [id, row] : rows_) {
    if (preview.count >= options.limit) break;
    if (!Candidate(row, options)) continue;
    ++preview.count;
    if (preview.sample_ids.size() < kSampleIds) preview.sample_ids.push_back(id);
  }
  return preview;
}

Result<std::optional<BatchRecord>> MemoryStore::GetBatch(const std::string& batch_id) {
  std::lock_guard lock(mu_);
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return std::optional<BatchRecord>();
  return std::optional<BatchRecord>(it->second.record);
}

Result<std::optional<nlohmann::json>> MemoryStore::GetBatchOptions(const std::string& batch_id) {
  std::lock_guard lock(mu_);
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(it->second.options);
}

Status MemoryStore::UpdateBatch(const std::string& batch_id, const BatchUpdate& u) {
  std::lock_guard lock(mu_);
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return NotFound("no batch with id " + batch_id);
  BatchRecord& r = it->second.record;
  if (u.status) {
    r.status = *u.status;
    r.status_text = std::string(BatchStatusName(*u.status));
  }
  if (u.completed_at) {
    it->second.completed_at = *u.completed_at;
    r.completed_at = IsoMillis(*u.completed_at);
  }
  it->second.updated_at = clock_.WallNow();
  if (u.stop_reason) it->second.stop_reason = *u.stop_reason;
  if (u.add_retry_after_wait_seconds) {
    r.retry_after_wait_seconds =
        r.retry_after_wait_seconds.value_or(0) + *u.add_retry_after_wait_seconds;
  }
  if (u.add_breaker_open_seconds) {
    r.breaker_open_seconds = r.breaker_open_seconds.value_or(0) + *u.add_breaker_open_seconds;
  }
  return Status::Ok();
}

BatchCounts MemoryStore::CountLocked(const std::string& batch_id) const {
  BatchCounts c;
  for (const auto& [id, row] : rows_) {
    if (row.entry.batch_id == batch_id) c.Add(row.entry.state, 1);
  }
  return c;
}

Result<BatchCounts> MemoryStore::CountBatch(const std::string& batch_id) {
  std::lock_guard lock(mu_);
  return CountLocked(batch_id);
}

Result<std::unique_ptr<WorkSession>> MemoryStore::OpenWork(const std::string& batch_id,
                                                           const RunnerInfo& runner) {
  return std::unique_ptr<WorkSession>(
      new MemoryWorkSession(*this, batch_id, runner.id, runners_->Add(batch_id, runner, "")));
}

Status MemoryStore::ReadAll(const TransferSink& sink) {
  TransferChunk all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, row] : rows_) {
      EntryRow e;
      e.entry = row.entry;
      e.state_text = std::string(EntryStateName(row.entry.state));
      e.processed = row.entry.state == EntryState::kCompleted;
      all.entries.push_back(std::move(e));
    }
    for (const auto& [entry_id, r] : results_) {
      all.results.push_back({r.python_id, r.code, entry_id, r.metadata.dump(), ""});
    }
    for (const auto& [id, b] : batches_) {
      BatchRow row;
      row.record = b.record;
      row.options_json = b.options.dump();
      if (!b.stop_reason.empty()) row.stop_reason = b.stop_reason;
      all.batches.push_back(std::move(row));
    }
    for (std::size_t i = 0; i < errors_.size(); ++i) {
      const StoredError& e = errors_[i];
      all.errors.push_back({"error-" + std::to_string(i), e.entry_id, e.batch_id, e.message,
                            e.error_type, e.request_id, e.endpoint, e.http_status, e.attempt, ""});
    }
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      const RequestLog& r = requests_[i];
      RequestRow q;
      q.batch_id = request_batches_[i];
      q.entry_id = r.entry_id;
      q.endpoint = r.endpoint;
      if (!r.error_type.empty()) q.error_type = r.error_type;
      q.attempt = r.attempt;
      if (r.http_status) q.http_status = r.http_status;
      q.latency_ms = r.latency_ms;
      q.prompt_tokens = r.prompt_tokens;
      q.completion_tokens = r.completion_tokens;
      all.requests.push_back(std::move(q));
    }
  }
  return all.size() == 0 ? Status::Ok() : sink(all);
}

Status MemoryStore::WriteAll(const TransferChunk& chunk) {
  std::lock_guard lock(mu_);
  for (const EntryRow& e : chunk.entries) rows_[e.entry.id] = Row{e.entry, "", {}};
  for (const ResultRecord& r : chunk.results) {
    if (!r.cython_id) continue;
    results_[*r.cython_id] = {
        r.id, r.code, nlohmann::json::parse(r.metadata_json.value_or("{}"), nullptr, false)};
  }
  for (const BatchRow& b : chunk.batches) {
    Batch& batch = batches_[b.record.id];
    batch.record = b.record;
    batch.options = nlohmann::json::parse(b.options_json.value_or("{}"), nullptr, false);
    batch.stop_reason = b.stop_reason.value_or("");
  }
  for (const RequestRow& q : chunk.requests) {
    requests_.push_back({q.entry_id.value_or(""),
                         static_cast<int>(q.attempt.value_or(0)),
                         q.endpoint.value_or(""),
                         static_cast<int>(q.http_status.value_or(0)),
                         q.latency_ms.value_or(0),
                         q.error_type.value_or(""),
                         {},
                         q.prompt_tokens,
                         q.completion_tokens});
    request_batches_.push_back(q.batch_id.value_or(""));
  }
  for (const ErrorRow& e : chunk.errors) {
    errors_.push_back({e.entry_id, e.batch_id.value_or(""), e.error_type.value_or(""),
                       e.message.value_or(""), e.request_id.value_or(""), e.endpoint.value_or(""),
                       static_cast<int>(e.http_status.value_or(0)),
                       static_cast<int>(e.attempt.value_or(0))});
  }
  return Status::Ok();
}

Result<UpsertCounts> MemoryStore::UpsertEntries(const std::vector<EntryInput>& entries) {
  std::lock_guard lock(mu_);
  UpsertCounts counts;
  std::set<std::string> seen;
  for (const EntryInput& in : entries) {
    if (!seen.insert(in.id).second) continue;  // first occurrence wins
    auto it = rows_.find(in.id);
    if (it != rows_.end() && it->second.entry.code == in.code) {
      ++counts.unchanged;
      continue;
    }
    if (it == rows_.end()) {
      ++counts.inserted;
    } else {
      ++counts.updated;
      if (counts.updated_ids.size() < UpsertCounts::kMaxListedIds) {
        counts.updated_ids.push_back(in.id);
      }
    }
    Entry e;
    e.id = in.id;
    e.code = in.code;
    e.description = in.description;
    e.tags_json = nlohmann::json(in.tags).dump();
    if (in.metadata) e.metadata_json = in.metadata->dump();
    rows_[in.id] = Row{std::move(e), "", {}};
  }
  return counts;
}

std::optional<Entry> MemoryStore::EntryById(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = rows_.find(id);
  return it == rows_.end() ? std::nullopt : std::optional<Entry>(it->second.entry);
}

std::map<std::string, MemoryStore::StoredResult> MemoryStore::Results() const {
  std::lock_guard lock(mu_);
  return results_;
}

std::vector<MemoryStore::StoredError> MemoryStore::Errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

std::vector<RequestLog> MemoryStore::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void MemoryStore::FailCommits(Status status) {
  std::lock_guard lock(mu_);
  commit_failure_ = std::move(status);
}

}  // namespace cnake
