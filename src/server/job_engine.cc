#include "server/job_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "server/hashing.h"

namespace cnake::server {
namespace {

constexpr auto kSweepInterval = std::chrono::seconds(1);

uint64_t RandomWord() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

double Seconds(Micros d) { return std::round(static_cast<double>(d.count()) / 1e3) / 1e3; }

}  // namespace

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kProcessing:
      return "processing";
    case JobState::kCompleted:
      return "completed";
    case JobState::kFailed:
      return "failed";
  }
  return "pending";
}

bool IsFinal(JobState state) { return state == JobState::kCompleted || state == JobState::kFailed; }

JobEngine::JobEngine(Options options, Clock* clock)
    : options_([&] {
        options.capacity = std::max<size_t>(options.capacity, 1);
        options.retention = std::max(options.retention, Micros(0));
        return options;
      }()),
      clock_(clock),
      id_base_hi_(RandomWord()),
      id_base_lo_(RandomWord()) {
  const MonoTime now = clock_->Now();
  for (size_t i = 0; i < options_.capacity; ++i) worker_free_at_.push(now);
  for (JobShard& shard : shards_) shard.next_sweep = now;
}

JobEngine::JobShard& JobEngine::ShardFor(std::string_view id) {
  return shards_[Fnv1a64(id) % kShards];
}

JobEngine::IdemShard& JobEngine::IdemShardFor(std::string_view key) {
  return idem_shards_[Mix64(Fnv1a64(key)) % kShards];
}

std::string JobEngine::NewRequestId() {
  // UUIDv4 text. Mix64 is a bijection, so distinct counters give distinct ids;
  // the random bases make ids differ between server runs.
  const uint64_t n = id_counter_.fetch_add(1, std::memory_order_relaxed);
  uint64_t hi = Mix64(id_base_hi_ ^ n);
  uint64_t lo = Mix64(id_base_lo_ + n);
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::pair<MonoTime, MonoTime> JobEngine::Schedule(MonoTime now, Micros duration) {
  std::lock_guard<std::mutex> lock(schedule_mu_);
  const MonoTime start = std::max(now, worker_free_at_.top());
  const MonoTime finish = start + duration;
  worker_free_at_.pop();
  worker_free_at_.push(finish);
  return {start, finish};
}

void JobEngine::EndOutstanding(Job& job) {
  if (!job.outstanding) return;
  job.outstanding = false;
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
}

Result<SubmitResult> JobEngine::Submit(const SubmitOptions& options,
                                       const std::function<NewJob()>& make_job) {
  const MonoTime now = clock_->Now();
  std::unique_lock<std::mutex> idem_lock;
  IdemShard* idem = nullptr;
  if (!options.idempotency_key.empty()) {
    idem = &IdemShardFor(options.idempotency_key);
    idem_lock = std::unique_lock<std::mutex>(idem->mu);
    auto it = idem->entries.find(options.idempotency_key);
    if (it != idem->entries.end()) {
      JobShard& shard = ShardFor(it->second.request_id);
      std::lock_guard<std::mutex> lock(shard.mu);
      auto job = shard.jobs.find(it->second.request_id);
      if (job != shard.jobs.end() && now < job->second.expires) {
        if (it->second.body_hash != options.body_hash) {
          return Status(StatusCode::kAlreadyExists,
                        "Idempotency-Key was already used with a different request body");
        }
        idempotent_replays_.fetch_add(1, std::memory_order_relaxed);
        return SubmitResult{SnapshotOf(job->first, job->second, now), false};
      }
      // The job was forgotten: the key is free again.
      idem->entries.erase(it);
    }
  }

  NewJob spec = make_job();
  Job job;
  job.fault_key = options.fault_key;
  job.idempotency_key = options.idempotency_key;
  job.fate = spec.fate;
  job.output = std::move(spec.output);
  std::tie(job.start, job.finish) = Schedule(now, spec.duration);
  job.expires = job.finish + options_.retention;

  std::string id = NewRequestId();
  if (idem != nullptr) idem->entries[options.idempotency_key] = IdemEntry{options.body_hash, id};

  const int64_t outstanding = outstanding_.fetch_add(1, std::memory_order_relaxed) + 1;
  int64_t seen = max_outstanding_.load(std::memory_order_relaxed);
  while (outstanding > seen &&
         !max_outstanding_.compare_exchange_weak(seen, outstanding, std::memory_order_relaxed)) {
  }
  jobs_created_.fetch_add(1, std::memory_order_relaxed);

  std::vector<std::string> expired_keys;
  SubmitResult result;
  {
    JobShard& shard = ShardFor(id);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (now >= shard.next_sweep) {
      SweepLocked(shard, now, &expired_keys);
      shard.next_sweep = now + kSweepInterval;
    }
    auto [it, inserted] = shard.jobs.emplace(id, std::move(job));
    result = SubmitResult{SnapshotOf(it->first, it->second, now), true};
  }
  if (idem_lock.owns_lock()) idem_lock.unlock();
  ForgetIdempotencyKeys(expired_keys);
  return result;
}

void JobEngine::SweepLocked(JobShard& shard, MonoTime now, std::vector<std::string>* idem_keys) {
  for (auto it = shard.jobs.begin(); it != shard.jobs.end();) {
    if (now >= it->second.expires) {
      EndOutstanding(it->second);
      if (!it->second.idempotency_key.empty()) idem_keys->push_back(it->second.idempotency_key);
      jobs_forgotten_.fetch_add(1, std::memory_order_relaxed);
      it = shard.jobs.erase(it);
    } else {
      ++it;
    }
  }
}

void JobEngine::ForgetIdempotencyKeys(const std::vector<std::string>& keys) {
  // Only entries whose job is gone are removed; a key reused for a newer job
  // (after its old job expired) stays.
  for (const std::string& key : keys) {
    IdemShard& idem = IdemShardFor(key);
    std::lock_guard<std::mutex> lock(idem.mu);
    auto it = idem.entries.find(key);
    if (it == idem.entries.end()) continue;
    JobShard& shard = ShardFor(it->second.request_id);
    std::lock_guard<std::mutex> job_lock(shard.mu);
    if (shard.jobs.find(it->second.request_id) == shard.jobs.end()) idem.entries.erase(it);
  }
}

JobSnapshot JobEngine::SnapshotOf(const std::string& id, const Job& job, MonoTime now) const {
  JobSnapshot s;
  s.request_id = id;
  s.fate = job.fate;
  s.fault_key = job.fault_key;
  s.output = job.output;
  s.finish = job.finish;
  const auto total = std::chrono::duration_cast<Micros>(job.finish - job.start);
  if (now < job.start) {
    s.state = JobState::kPending;
    s.progress = 0.0;
    s.eta_seconds = Seconds(std::chrono::duration_cast<Micros>(job.finish - now));
  } else if (now < job.finish) {
    s.state = JobState::kProcessing;
    const auto done = std::chrono::duration_cast<Micros>(now - job.start);
    s.progress = std::floor(1000.0 * static_cast<double>(done.count()) /
                            static_cast<double>(total.count())) /
                 10.0;
    s.eta_seconds = Seconds(std::chrono::duration_cast<Micros>(job.finish - now));
  } else if (job.fate == JobFate::kNeverCompletes) {
    s.state = JobState::kProcessing;
    s.progress = 99.0;
  } else {
    s.state = job.fate == JobFate::kFails ? JobState::kFailed : JobState::kCompleted;
    s.progress = 100.0;
  }
  return s;
}

std::optional<JobEngine::Attempt> JobEngine::CountAttempt(std::string_view id, LookupKind kind) {
  const MonoTime now = clock_->Now();
  JobShard& shard = ShardFor(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.jobs.find(std::string(id));
  if (it == shard.jobs.end() || now >= it->second.expires) return std::nullopt;
  Job& job = it->second;
  uint32_t& counter = kind == LookupKind::kStatus ? job.status_attempts : job.results_attempts;
  return Attempt{job.fault_key, ++counter};
}

std::optional<JobSnapshot> JobEngine::Observe(std::string_view id, LookupKind kind) {
  const MonoTime now = clock_->Now();
  std::vector<std::string> expired_keys;
  std::optional<JobSnapshot> result;
  {
    JobShard& shard = ShardFor(id);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.jobs.find(std::string(id));
    if (it == shard.jobs.end()) return std::nullopt;
    Job& job = it->second;
    if (now >= job.expires) {
      EndOutstanding(job);
      if (!job.idempotency_key.empty()) expired_keys.push_back(job.idempotency_key);
      jobs_forgotten_.fetch_add(1, std::memory_order_relaxed);
      shard.jobs.erase(it);
    } else {
      result = SnapshotOf(it->first, job, now);
      const bool ends = job.fate == JobFate::kLost ||
                        (kind == LookupKind::kResults && IsFinal(result->state)) ||
                        result->state == JobState::kFailed;
      if (ends) EndOutstanding(job);
    }
  }
  ForgetIdempotencyKeys(expired_keys);
  return result;
}

void JobEngine::Reset() {
  for (IdemShard& idem : idem_shards_) {
    std::lock_guard<std::mutex> lock(idem.mu);
    idem.entries.clear();
  }
  for (JobShard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.jobs.clear();
  }
  {
    std::lock_guard<std::mutex> lock(schedule_mu_);
    worker_free_at_ = {};
    const MonoTime now = clock_->Now();
    for (size_t i = 0; i < options_.capacity; ++i) worker_free_at_.push(now);
  }
  jobs_created_ = 0;
  idempotent_replays_ = 0;
  jobs_forgotten_ = 0;
  outstanding_ = 0;
  max_outstanding_ = 0;
}

EngineStats JobEngine::Stats() const {
  EngineStats s;
  s.jobs_created = jobs_created_.load();
  s.idempotent_replays = idempotent_replays_.load();
  s.jobs_forgotten = jobs_forgotten_.load();
  s.outstanding_jobs = outstanding_.load();
  s.max_outstanding_jobs = max_outstanding_.load();
  for (JobShard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    s.jobs_in_table += shard.jobs.size();
  }
  return s;
}

}  // namespace cnake::server
