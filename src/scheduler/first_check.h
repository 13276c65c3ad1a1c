// Which endpoint a job's first check asks, learned from recent jobs.
//
// A job the server gave no eta for is first checked after the policy's first
// delay. Asking /status then costs a third request when the job is already
// done (status, then results); asking /results directly costs one request
// fewer when it is done, and its answer carries no eta when it is not. So
// when most recent jobs were done at their first check, the first check asks
// /results; otherwise /status, whose eta times the next check.
//
// It also keeps when recent jobs said they would be done (the time from
// their POST answer to the end of the eta a status answer gave). While the
// request-rate limit is what holds a run back, every check costs
// throughput, so when those are steady the engine first checks a job
// without an eta at a late one of them (SteadyFinish()) instead of polling
// early: a job then costs a POST and one /results, 2 requests instead of 3.
// With spread-out latencies waiting that long would hold the concurrency
// slots longer than the saved requests are worth (a lognormal of sigma 0.5
// at 150 requests/s, 16 in flight: 42 entries/s against 49), so then the
// early checks stay.
//
// Pure; not thread-safe (the engine's thread owns it).
#pragma once

#include <array>
#include <cstddef>
#include <optional>

namespace cnake::scheduler {

class FirstCheckHistory {
 public:
  static constexpr std::size_t kWindow = 32;
  static constexpr std::size_t kMinSamples = 8;

  // Records whether a job was done at its first check.
  void Record(bool done);
  // True when at least kMinSamples are known and more than half of the last
  // kWindow first checks found the job done.
  bool PreferResults() const;

  // Records that a job, `seconds` after its POST answer, was expected to be
  // done (elapsed time plus the eta of a status answer). Ignores values that
  // are not finite or are negative.
  void RecordExpectedFinish(double seconds);
  // Once kMinSamples are known and the last kWindow expected finishes are
  // steady (their 90th percentile at most kSteadySpread times their 10th):
  // that 90th percentile, in seconds. A job is most likely done by then.
  static constexpr double kSteadySpread = 1.25;
  std::optional<double> SteadyFinish() const;

 private:
  std::array<bool, kWindow> done_{};
  std::size_t count_ = 0;  // samples ever recorded
  std::array<double, kWindow> finishes_{};
  std::size_t finish_count_ = 0;
};

}  // namespace cnake::scheduler
