// StoreWorker: runs the engine's database work (commits, leases, renewals)
// away from the HTTP loop, on a thread of its own that owns the
// WorkSession, and hands each outcome back to the loop.
//
// The loop posts operations and never waits for them: it collects finished
// ones with TakeFinished(), and the worker wakes it (through `wake`, which
// the engine points at Transport::Wakeup, an eventfd the transport polls) whenever
// one finishes. Operations run in the order they were posted.
//
// Inline mode runs each operation at once on the posting thread, for unit
// tests that drive the engine on a fake clock: same ordering, no thread.
//
// Thread safety: Post*, TakeFinished and Drain from the loop's thread only;
// `wake` is called from the worker thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/store.h"

namespace cnake::engine {

enum class StoreOp { kCommit, kRecord, kLease, kRenew, kCounts, kPrepareForRelease };

// A finished operation. Which fields are set depends on `op`.
struct StoreOutcome {
  StoreOp op = StoreOp::kCommit;
  Status status;
  std::vector<Entry> entries;  // kLease
  bool drained = false;        // kLease: nothing can be leased later either
  LeaseState lease;            // kRenew
  BatchCounts counts;          // kCounts
  Duration took{0};            // how long the database work took
};

class StoreWorker {
 public:
  enum class Mode { kThreaded, kInline };
  // `session` must outlive the worker.
  StoreWorker(WorkSession& session, Mode mode, std::function<void()> wake);
  ~StoreWorker();  // finishes what was posted, then joins
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  void PostCommit(WriteGroup group);
  // WorkSession::RecordSubmissions of `submissions`.
  void PostRecord(std::vector<Submitted> submissions);
  void PostLease(std::size_t limit);
  void PostRenew();
  void PostCounts();
  // WorkSession::PrepareForRelease.
  void PostPrepareForRelease();

  // Operations finished since the last call, in posting order.
  std::vector<StoreOutcome> TakeFinished();
  // Blocks until every posted operation has finished; returns them all
  // (TakeFinished's and those that finish meanwhile).
  std::vector<StoreOutcome> Drain();
  // Some operation finished and waits for TakeFinished().
  bool HasFinished() const;
  // Posted and not yet taken (finished or not).
  std::size_t outstanding() const { return outstanding_; }

 private:
  struct Task {
    StoreOp op = StoreOp::kCommit;
    WriteGroup group;
    std::size_t limit = 0;
  };
  void Post(Task task);
  StoreOutcome Run(const Task& task);
  void Loop();

  WorkSession& session_;
  const Mode mode_;
  std::function<void()> wake_;
  std::size_t outstanding_ = 0;  // loop thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;              // guarded by mu_
  std::vector<StoreOutcome> finished_;  // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  std::thread thread_;
};

}  // namespace cnake::engine
