// The batch engine: one event loop that keeps up to max_concurrent jobs in
// flight against the API, under one rate limiter and circuit breaker, and
// hands every state change to the store worker, which commits grouped
// changes on its own thread (docs/engine.md).
//
// A job runs from its submission to its final result (engine/job.h):
//   submit (POST /generate) -> commit request_id -> poll /status with growing
//   intervals -> fetch /results -> commit result (or failure).
// Synchronous servers answer the POST with the result; it is committed at once.
// The protocol (api/protocol.h) builds the requests and reads the answers; a
// protocol without idempotency (chat completions) has each attempt committed
// before its POST, so that every attempt that may be billed is counted.
//
// Time, randomness, the API and the store are injected (Clock, seed,
// api::Transport, WorkSession), so unit tests drive the engine with a fake
// API, a fake clock and an inline store worker.
//
// The engine does not change the batch record: it returns a RunSummary, and
// the batch lifecycle (engine/batch_lifecycle.h) records how the run ended.
//
// Thread safety: Run() is called on one thread. RequestStop() and
// CurrentSnapshot() may be called from any thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <unordered_map>

#include "api/api_messages.h"
#include "api/protocol.h"
#include "api/transport.h"
#include "engine/eta_estimator.h"
#include "engine/job.h"
#include "engine/snapshot.h"
#include "engine/store_worker.h"
#include "scheduler/circuit_breaker.h"
#include "scheduler/first_check.h"
#include "scheduler/poll_policy.h"
#include "scheduler/rate_limiter.h"
#include "scheduler/retry_policy.h"
#include "scheduler/token_budget.h"
#include "store/store.h"
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
  // The API's protocol (api/protocol.h); null: the CnakeCharmer contract
  // with prompt_template.
  std::shared_ptr<const api::Protocol> protocol;
  // Tokens per minute (processing.rate_limit.tokens_per_minute; 0: none).
  scheduler::TokenBudgetOptions tokens;
  // For the live cost figure; 0: not set.
  double price_per_million_input = 0, price_per_million_output = 0;
  Duration flush_interval = std::chrono::milliseconds(200);
  std::size_t flush_count = 512;
  // Changes waiting for their commit while another commit runs; beyond this
  // the loop sends nothing new until the commit is done (a slow disk slows
  // dispatch instead of growing memory).
  std::size_t max_pending_changes = 4096;
  std::size_t page_size = 512;
  // How often leases are renewed, and how soon an empty lease is retried
  // while other runners hold entries (stores whose leases lapse); a runner
  // waiting for its share of the batch's rate renews every lease_retry.
  Duration renew_interval = std::chrono::seconds(10);
  Duration lease_retry = std::chrono::seconds(1);
  Duration publish_interval = std::chrono::milliseconds(250);
  StoreWorker::Mode store_worker = StoreWorker::Mode::kThreaded;
  std::uint64_t seed = 0;  // 0: from the clock
};

enum class StopReason {
  kFinished,     // every claimed entry completed or failed
  kInterrupted,  // SIGINT/SIGTERM
  kCancelled,    // cancel command
  kAuthFailed,   // 401/403: the key is wrong
  kFatal,        // TLS failure, no API at the base URL (404 on POST), or another
  kDatabase,     // a commit failed
};
const char* StopReasonName(StopReason r);

struct RunSummary {
  StopReason reason = StopReason::kFinished;
  std::string message;
  Status database_error;            // set when reason is kDatabase
  bool stopped_by_request = false;  // a signal or cancel asked the run to stop
  Snapshot final;
};

// Where the engine reports progress (called on the engine thread).
using ProgressSink = std::function<void(const Snapshot&)>;

class Engine {
 public:
  // `work` is used only from the store worker's thread while Run() runs.
  Engine(WorkSession& work, api::Transport& transport, Clock& clock, EngineOptions options);

  RunSummary Run(const ProgressSink& on_progress);

  // 1st call: stop submitting, finish in-flight jobs within shutdown_grace.
  // 2nd call: stop now. Requests in flight are abandoned; what they did is
  // not lost (a committed request_id is polled on resume; an uncommitted
  // POST is sent again with the same Idempotency-Key) and Run() still
  // commits what the store worker holds before it returns.
  // Thread-safe; wakes the loop.
  void RequestStop(StopReason why);
  Snapshot CurrentSnapshot() const;

 private:
  struct Timer {
    TimePoint due;
    std::uint64_t tag;
    bool operator>(const Timer& o) const { return due > o.due; }
  };

  // engine.cc: the loop
  Status Start();
  void Turn(TimePoint now, const ProgressSink& on_progress);
  void Admit(TimePoint now);
  void Dispatch(TimePoint now);
  void UpdateNearRateLimit(TimePoint now);
  // Whether a due job's request fits the token budget and what the provider
  // said is left (engine_billed.cc); TakeBudgets takes it.
  bool BudgetsAllow(const Job& job, TimePoint now) const;
  Duration BudgetWait(const Job& job, TimePoint now) const;
  void TakeBudgets(Job& job, TimePoint now);
  // A submission goes out now: its token reservation counts from here.
  void NoteSubmitSent(Job& job, TimePoint now);
  void Send(std::uint64_t tag, Job& job, TimePoint now);
  // Protocols without idempotency: commits the coming attempt before its POST.
  void RecordAttempt(std::uint64_t tag, Job& job);
  // A job just admitted: its request size for token estimates, and (protocols
  // without idempotency) an attempt a previous run started and never saw
  // answered counts as spent and goes into the request log. False when that
  // failed the entry (no retry left).
  bool PrepareAdmitted(std::uint64_t tag, Job& job);
  api::SubmitInput SubmitInputFor(const Job& job) const;
  std::int64_t TokenEstimate(const Job& job) const;
  void SendProbe(TimePoint now);
  Duration PollWait(TimePoint now) const;
  void Publish(TimePoint now, const ProgressSink& on_progress, bool force);
  bool Done() const;
  bool Backpressured() const;
  RunSummary Summarize(const ProgressSink& on_progress);

  // engine_store.cc: the store worker's side of the loop
  void Flush(TimePoint now, bool force);
  void CollectStoreWork(TimePoint now);
  void OnCommitted(const StoreOutcome& outcome, TimePoint now);
  // The submission record's side (a store with RecordsSubmissions()).
  void RecordDue(TimePoint now);
  void OnRecorded(const StoreOutcome& outcome, TimePoint now);
  // A job whose request_id just became durable: its first check may go.
  void StartChecking(std::uint64_t tag, Job& job, TimePoint now);
  void OnLeased(StoreOutcome& outcome, TimePoint now);
  // A renewal's answer: a cancelled batch stops the run, a rate share
  // (several runners on one batch) resizes the limiter.
  void OnRenewed(const StoreOutcome& outcome);
  void MaybeRenew(TimePoint now);
  // Once nothing is left to submit and the last jobs are out, lets the store
  // do its end-of-run work while they are (WorkSession::PrepareForRelease).
  void MaybePrepareForRelease();
  void FinishStoreWork();

  // engine_responses.cc: turning responses into decisions
  void OnResponse(const api::Response& r, TimePoint now);
  void OnProbeResponse(const api::Response& r, TimePoint now);
  void OnSubmitOk(std::uint64_t tag, Job& job, const api::Response& r, TimePoint now);
  void OnStatusOk(std::uint64_t tag, Job& job, const api::Response& r, TimePoint now);
  void OnResultOk(std::uint64_t tag, Job& job, const api::ResultResponse& result, TimePoint now);
  // Rate-limit headers of a provider (x-ratelimit-*) and reported usage.
  void ApplyProviderLimits(const api::Response& r, scheduler::Outcome* outcome, TimePoint now);
  void RecordUsage(Job& job, const api::TokenUsage& usage);
  // engine_checks.cc: how and when to check a job the API accepted (after
  // its commit), and what the checks teach the run.
  void PlanFirstCheck(Job& job, std::optional<double> eta, TimePoint now);
  double SteadySpread() const;
  std::optional<double> PlanWithEtas(Job& job);
  std::optional<double> PlanWithoutEtas(Job& job);
  // Neither the job nor most recent status answers carried an eta.
  bool WithoutEtas(const Job& job) const;
  // A job its server gave no eta for was found done or not done `now`.
  void LearnFromCheck(Job& job, bool done, TimePoint now);
  Duration LearnedCheckDelay(Job& job, TimePoint now);
  // Records whether the job was done at its first check (once per job).
  void NoteFirstCheck(Job& job, bool done);
  // A check found the job not done; `eta` from the answer, if any.
  void ScheduleNextCheck(std::uint64_t tag, Job& job, std::optional<double> eta, TimePoint now);

  // engine_responses.cc: failures and final outcomes
  void OnFailure(std::uint64_t tag, Job& job, const scheduler::Outcome& outcome,
                 const std::string& detail, TimePoint now);
  void Complete(std::uint64_t tag, Job& job, const api::ResultResponse& result);
  void Fail(std::uint64_t tag, Job& job, const std::string& type, const std::string& message,
            int http_status, const char* endpoint);
  void Observe(const scheduler::Outcome& outcome, TimePoint now, bool got_response);
  void StopRun(const scheduler::Outcome& outcome, const std::string& what);
  void NoteError(const std::string& text);

  // engine_jobs.cc: the one place a job changes phase
  // Moves `job` to `phase`, keeping the per-phase counts. With `write`, the
  // entry's state changes too: the change joins the pending group and the
  // per-state counts move.
  void Transition(Job& job, JobPhase phase, std::optional<EntryState> write = std::nullopt,
                  bool clear_request_id = false);
  // Records that the group now pending writes `state` for the job's entry.
  void NoteWritten(Job& job, EntryState state);
  // Schedules the job's next request (a job waiting in a kTo* phase).
  void Schedule(std::uint64_t tag, Job& job, JobPhase phase, TimePoint due);
  // Removes a job that became final; its entry leaves the per-state counts.
  void Retire(std::uint64_t tag, Job& job);
  void MoveCount(std::optional<EntryState> from, std::optional<EntryState> to);
  void NotePending(TimePoint now);

  api::Transport& transport_;
  Clock& clock_;
  EngineOptions options_;
  std::shared_ptr<const api::Protocol> protocol_;
  Random rng_;
  scheduler::RateLimiter limiter_;
  scheduler::TokenBudget token_budget_;
  scheduler::TokenEstimator token_estimator_;
  scheduler::ProviderAllowance request_allowance_;  // x-ratelimit-remaining-requests
  scheduler::CircuitBreaker breaker_;
  scheduler::FirstCheckHistory first_checks_;
  StoreWorker worker_;

  std::unordered_map<std::uint64_t, Job> jobs_;  // admitted, not final
  std::array<std::int64_t, kJobPhases> phase_counts_{};
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::deque<Entry> backlog_;  // leased, not admitted yet
  bool lease_in_flight_ = false;
  bool drained_ = false;  // nothing more can be leased
  std::optional<TimePoint> lease_retry_at_;
  std::optional<TimePoint> last_renew_;
  bool awaiting_share_ = false;  // share 0: renew every lease_retry until room is made
  std::uint64_t next_tag_ = 1;
  std::int64_t posts_polled_ = 0;  // POSTs started before the last Poll (crash point)
  static constexpr std::uint64_t kProbeTag = 0;
  bool probe_in_flight_ = false;
  // Since when a due request has waited for the request-rate limit alone
  // (not the breaker, a budget or an API pause): the progress line's
  // "rate-limited" and the summary's share of the run.
  std::optional<TimePoint> rate_held_since_;
  Duration rate_held_total_{};
  // A wait for the limit holds the run back only while the run sends at 80%
  // of the limiter's rate or more, judged over windows of at least 1 s: at a
  // very high --rpm the small default burst makes requests wait microseconds
  // without limiting anything.
  bool near_rate_limit_ = false;
  TimePoint rate_window_start_{};
  std::int64_t rate_window_requests_ = 0;

  WriteGroup pending_;  // changes not handed to the worker yet
  TimePoint first_pending_{};
  std::vector<std::uint64_t> awaiting_commit_;  // jobs whose request_id is in pending_
  TimePoint earliest_first_check_{};            // of the jobs in awaiting_commit_
  std::vector<std::uint64_t> committing_;       // ... in the commit under way
  bool commit_in_flight_ = false;
  TimePoint last_commit_end_{};
  Duration last_commit_cost_{};
  // With a store that records submissions apart from its commits
  // (WorkSession::RecordsSubmissions()), a job's request_id waits for that
  // record, not for a commit: the commits then come by flush_count and
  // flush_interval, in large groups.
  bool records_submissions_ = false;
  std::vector<std::uint64_t> awaiting_record_;  // jobs whose request_id is not recorded yet
  TimePoint earliest_record_check_{};           // of the jobs in awaiting_record_
  std::vector<std::uint64_t> recording_;        // ... in the record under way
  bool record_in_flight_ = false;
  Duration last_record_cost_{};
  bool submissions_accepted_ = false;  // a POST was answered with a request_id, not a result
  bool release_prepared_ = false;
  Status db_error_;

  std::atomic<int> stop_requests_{0};
  std::atomic<StopReason> stop_reason_{StopReason::kInterrupted};
  std::optional<TimePoint> stop_deadline_;
  std::optional<StopReason> fatal_;
  std::string fatal_message_;

  TimePoint started_{};
  std::int64_t finished_before_ = 0;
  TimePoint last_publish_{};
  EtaEstimator eta_;
  Snapshot stats_;  // engine-thread copy
  mutable std::mutex published_mu_;
  Snapshot published_;
};

}  // namespace cnake::engine
