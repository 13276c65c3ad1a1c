// A point-in-time view of a running batch, for the progress line, the live
// status channel and metrics. Plain data; copied across threads under the
// publisher's lock.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "store/states.h"

namespace cnake::engine {

// Request latency histogram with fixed bucket bounds (milliseconds).
struct LatencyHistogram {
  static constexpr std::array<double, 14> kBoundsMs = {
      5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000};
  // kBoundsMs as the store's latency reads take them (Queries::Latency): the
  // reports' bounds and those a completed batch's stored figures are kept for.
  static const std::vector<double>& BoundsList() {
    static const std::vector<double> kList(kBoundsMs.begin(), kBoundsMs.end());
    return kList;
  }
  std::array<std::int64_t, kBoundsMs.size() + 1> counts{};  // last: +Inf
  double sum_ms = 0;
  std::int64_t count = 0;

  void Add(double ms);
  // The q-quantile (0..1) estimated from the buckets (upper bound of the bucket).
  double Quantile(double q) const;
};

// Where a run is: working, stopping (a signal or cancel: no new submissions),
// or finished.
enum class RunPhase { kRunning, kStopping, kFinished };
const char* RunPhaseName(RunPhase phase);

struct Snapshot {
  std::string batch_id;
  RunPhase phase = RunPhase::kRunning;
  std::int64_t total = 0, pending = 0, submitted = 0, processing = 0, retrying = 0, completed = 0,
               failed = 0;
  std::int64_t finished_at_start = 0;   // of the batch, when this run started
  std::int64_t jobs_in_flight = 0;      // POSTed (or holding a job), not yet final
  std::int64_t requests_in_flight = 0;  // HTTP exchanges under way
  std::int64_t queued = 0;              // claimed entries waiting for a job slot
  std::int64_t requests = 0, retries = 0, throttled = 0, lost_jobs = 0;
  std::int64_t requests_by_endpoint[4] = {0, 0, 0, 0};  // submit, status, result, health
  double current_rpm = 0, configured_rpm = 0;
  // Tokens the API reported for this run's requests (chat protocol), the
  // configured budget (0: none), the interrupted attempts found on resume,
  // and the cost at the configured prices (negative: no prices set).
  std::int64_t prompt_tokens = 0, completion_tokens = 0, entries_with_usage = 0;
  double configured_tpm = 0;
  std::int64_t interrupted_attempts = 0;
  double cost = -1;
  std::string breaker_state = "closed";
  double rate_wait_seconds = 0, breaker_open_seconds = 0;
  // A due request is waiting for the request-rate limit (configured_rpm or
  // this runner's share of it) and nothing else; and for how long, summed,
  // this run was held back that way.
  bool rate_limited = false;
  double rate_limited_seconds = 0;
  double elapsed_seconds = 0;
  double entries_per_second = 0;
  LatencyHistogram latency;
  std::deque<std::string> recent_errors;  // newest last, at most kRecentErrors

  static constexpr std::size_t kRecentErrors = 10;
  std::int64_t finished() const { return completed + failed; }
  std::int64_t Count(EntryState state) const;
  // Seconds until done, from the entries finished over the last 30 s
  // (engine/eta_estimator.h); nullopt while unknown.
  std::optional<double> eta_seconds;
};

}  // namespace cnake::engine
