#include "engine/store_worker.h"

#include <chrono>

namespace cnake::engine {

StoreWorker::StoreWorker(WorkSession& session, Mode mode, std::function<void()> wake)
    : session_(session), mode_(mode), wake_(std::move(wake)) {
  if (mode_ == Mode::kThreaded) thread_ = std::thread([this] { Loop(); });
}

StoreWorker::~StoreWorker() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StoreWorker::PostCommit(WriteGroup group) { Post({StoreOp::kCommit, std::move(group), 0}); }
void StoreWorker::PostRecord(std::vector<Submitted> submissions) {
  WriteGroup group;
  group.submitted = std::move(submissions);
  Post({StoreOp::kRecord, std::move(group), 0});
}
void StoreWorker::PostLease(std::size_t limit) { Post({StoreOp::kLease, {}, limit}); }
void StoreWorker::PostRenew() { Post({StoreOp::kRenew, {}, 0}); }
void StoreWorker::PostCounts() { Post({StoreOp::kCounts, {}, 0}); }
void StoreWorker::PostPrepareForRelease() { Post({StoreOp::kPrepareForRelease, {}, 0}); }

void StoreWorker::Post(Task task) {
  ++outstanding_;
  if (mode_ == Mode::kInline) {
    StoreOutcome outcome = Run(task);
    std::lock_guard lock(mu_);
    finished_.push_back(std::move(outcome));
    return;
  }
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_all();
}

std::vector<StoreOutcome> StoreWorker::TakeFinished() {
  std::vector<StoreOutcome> out;
  {
    std::lock_guard lock(mu_);
    out.swap(finished_);
  }
  outstanding_ -= out.size();
  return out;
}

bool StoreWorker::HasFinished() const {
  std::lock_guard lock(mu_);
  return !finished_.empty();
}

std::vector<StoreOutcome> StoreWorker::Drain() {
  std::vector<StoreOutcome> out;
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return finished_.size() >= outstanding_; });
    out.swap(finished_);
  }
  outstanding_ -= out.size();
  return out;
}

StoreOutcome StoreWorker::Run(const Task& task) {
  const auto start = std::chrono::steady_clock::now();
  StoreOutcome out;
  out.op = task.op;
  switch (task.op) {
    case StoreOp::kCommit:
      out.status = session_.Commit(task.group);
      break;
    case StoreOp::kRecord:
      out.status = session_.RecordSubmissions(task.group.submitted);
      break;
    case StoreOp::kLease: {
      auto entries = session_.Lease(task.limit);
      if (!entries.ok()) {
        out.status = entries.status();
        break;
      }
      out.entries = std::move(entries).value();
      if (out.entries.empty()) {
        auto drained = session_.Drained();
        out.status = drained.status();
        out.drained = drained.ok() && *drained;
      }
      break;
    }
    case StoreOp::kRenew: {
      auto lease = session_.Renew();
      out.status = lease.status();
      if (lease.ok()) out.lease = *lease;
      break;
    }
    case StoreOp::kCounts: {
      auto counts = session_.Counts();
      out.status = counts.status();
      if (counts.ok()) out.counts = *counts;
      break;
    }
    case StoreOp::kPrepareForRelease:
      out.status = session_.PrepareForRelease();
      break;
  }
  out.took = std::chrono::steady_clock::now() - start;
  return out;
}

void StoreWorker::Loop() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything posted has run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    StoreOutcome outcome = Run(task);
    {
      std::lock_guard lock(mu_);
      finished_.push_back(std::move(outcome));
    }
    cv_.notify_all();  // Drain() waits on the same variable
    if (wake_) wake_();
  }
}

}  // namespace cnake::engine
