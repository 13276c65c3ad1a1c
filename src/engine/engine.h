// The batch engine: one event loop that keeps up to max_concurrent jobs in
// flight against the API, under one rate limiter and circuit breaker, and
// commits every state change through grouped transactions (docs/engine.md).
//
// A job runs from its submission to its final result:
//   submit (POST /generate) -> commit request_id -> poll /status with growing
//   intervals -> fetch /results -> commit result (or failure).
// Synchronous servers answer the POST with the result; it is committed at once.
//
// Time, randomness and the API are injected (Clock, seed, api::Transport), so
// unit tests drive the engine with a fake API and a fake clock.
//
// Thread safety: Run() is called on one thread. RequestStop() and Snapshot()
// may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <unordered_map>

#include "api/api_messages.h"
#include "api/transport.h"
#include "engine/batch_store.h"
#include "engine/snapshot.h"
#include "scheduler/circuit_breaker.h"
#include "scheduler/poll_policy.h"
#include "scheduler/rate_limiter.h"
#include "scheduler/retry_policy.h"
#include "util/clock.h"
#include "util/random.h"

namespace cnake::engine {

struct EngineOptions {
  std::string batch_id;
  std::string base_url;  // for messages only
  int max_concurrent = 5;
  scheduler::RateLimiterOptions rate;
  scheduler::RetryPolicy retry;
  scheduler::PollPolicy poll;
  Duration job_timeout = std::chrono::minutes(10);
  int breaker_threshold = 5;
  Duration probe_base = std::chrono::seconds(1);
  Duration probe_max = std::chrono::seconds(30);
  Duration shutdown_grace = std::chrono::seconds(10);
  std::string prompt_template = "Translate this Cython code to equivalent pure Python.";
  Duration flush_interval = std::chrono::milliseconds(200);
  std::size_t flush_count = 512;
  std::size_t page_size = 512;
  Duration publish_interval = std::chrono::milliseconds(250);
  std::uint64_t seed = 0;  // 0: from the clock
};

enum class StopReason {
  kFinished,     // every claimed entry completed or failed
  kInterrupted,  // SIGINT/SIGTERM
  kCancelled,    // cancel command
  kAuthFailed,   // 401/403: the key is wrong
  kFatal,        // TLS failure or another run-stopping error
  kDatabase,     // a commit failed
};
const char* StopReasonName(StopReason r);

struct RunSummary {
  StopReason reason = StopReason::kFinished;
  std::string message;
  Snapshot final;
};

// Where the engine reports progress (called on the engine thread).
using ProgressSink = std::function<void(const Snapshot&)>;

class Engine {
 public:
  Engine(Store& store, api::Transport& transport, Clock& clock, EngineOptions options);

  RunSummary Run(const ProgressSink& on_progress);

  // 1st call: stop submitting, finish in-flight jobs within shutdown_grace.
  // Thread-safe; wakes the loop.
  void RequestStop(StopReason why);
  Snapshot CurrentSnapshot() const;

 private:
  enum class Next { kSubmit, kStatus, kResult };
  struct Job {
    Entry entry;
    Next next = Next::kSubmit;
    bool in_request = false;
    bool awaiting_commit = false;
    TimePoint due{};
    TimePoint request_started{};
    TimePoint admitted{};
    int polls = 0;
    int retries = 0;  // retries spent (the API attempt count is retries + 1)
    std::string written_state;
    double last_latency_ms = 0;
  };
  struct Timer {
    TimePoint due;
    std::uint64_t tag;
    bool operator>(const Timer& o) const { return due > o.due; }
  };

  // engine.cc: the loop
  Status Admit(TimePoint now);
  void Dispatch(TimePoint now);
  void Send(std::uint64_t tag, Job& job, TimePoint now);
  void SendProbe(TimePoint now);
  Duration PollWait(TimePoint now) const;
  Status Flush(TimePoint now, bool force);
  void Schedule(std::uint64_t tag, Job& job, TimePoint due);
  void Publish(TimePoint now, const ProgressSink& on_progress, bool force);
  bool Done() const;
  void FinishBatch(RunSummary& summary);

  // engine_responses.cc: turning responses into decisions
  void OnResponse(const api::Response& r, TimePoint now);
  void OnProbeResponse(const api::Response& r, TimePoint now);
  void OnSubmitOk(std::uint64_t tag, Job& job, const api::Response& r, TimePoint now);
  void OnStatusOk(std::uint64_t tag, Job& job, const api::Response& r, TimePoint now);
  void OnResultOk(std::uint64_t tag, Job& job, const api::ResultResponse& result, TimePoint now);
  void OnFailure(std::uint64_t tag, Job& job, const scheduler::Outcome& outcome,
                 const std::string& detail, TimePoint now);
  void Complete(std::uint64_t tag, Job& job, const api::ResultResponse& result);
  void Fail(std::uint64_t tag, Job& job, const std::string& type, const std::string& message,
            int http_status, const char* endpoint);
  void WriteState(Job& job, const std::string& state, bool clear_request_id = false);
  // Moves one entry between the live per-state counts ("" = none/final).
  void MoveCount(const std::string& from, const std::string& to);
  void Observe(const scheduler::Outcome& outcome, TimePoint now, bool got_response);
  void NoteError(const std::string& text);

  Store& store_;
  api::Transport& transport_;
  Clock& clock_;
  EngineOptions options_;
  Random rng_;
  scheduler::RateLimiter limiter_;
  scheduler::CircuitBreaker breaker_;

  std::unordered_map<std::uint64_t, Job> jobs_;  // admitted, not final
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::deque<Entry> backlog_;  // claimed, not admitted yet
  BatchCursor cursor_;
  std::uint64_t next_tag_ = 1;
  static constexpr std::uint64_t kProbeTag = 0;
  bool probe_in_flight_ = false;

  WriteGroup pending_;
  bool bytewise_ids_ = false;  // CommitGroup may filter by literal ids (set in Run)
  std::vector<std::uint64_t> awaiting_commit_;
  TimePoint first_pending_{};
  // When the last commit ended and how long it took (see Flush).
  TimePoint last_commit_end_{};
  Duration last_commit_cost_{};
  Status db_error_;

  std::atomic<int> stop_requests_{0};
  std::atomic<StopReason> stop_reason_{StopReason::kInterrupted};
  std::optional<TimePoint> stop_deadline_;
  std::optional<StopReason> fatal_;
  std::string fatal_message_;

  TimePoint started_{};
  TimePoint last_publish_{};
  Snapshot stats_;  // engine-thread copy
  mutable std::mutex published_mu_;
  Snapshot published_;
};

}  // namespace cnake::engine
