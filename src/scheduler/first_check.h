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
// their POST answer to the end of the eta a status answer gave). When those
// are steady, an early check tells nothing the history does not, so the
// engine first checks a job without an eta at a late one of them
// (SteadyFinish()): the job then costs a POST and one /results, 2 requests
// instead of 3. How steady is steady depends on what holds the run back:
// - the request-rate limit: every check costs throughput, so a spread of
//   kSteadySpread still pays; with wider latencies waiting that long would
//   hold the concurrency slots longer than the saved requests are worth (a
//   lognormal of sigma 0.5 at 150 requests/s, 16 in flight: 42 entries/s
//   against 49), so then the early checks stay;
// - the concurrency limit: a slot held past the job's end is throughput
//   lost, so only kVerySteadySpread, where waiting for the 90th percentile
//   costs under 5% of a job's time and saves a third of its requests (and
//   of the client's and server's CPU per entry).
// Jobs first checked that way say nothing about how long jobs take now, so
// one in kRefreshEvery asks /status halfway there instead (TakeRefresh()):
// its eta, or its being done already, keeps the history following jobs that
// became faster. Slower ones show at once: their /results answer says not
// done, and they poll /status.
//
// Pure; not thread-safe (the engine's thread owns it).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <utility>

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
  // steady (their 90th percentile at most `max_spread` times their 10th):
  // that 90th percentile, in seconds. A job is most likely done by then.
  static constexpr double kSteadySpread = 1.25;      // under the rate limit
  static constexpr double kVerySteadySpread = 1.05;  // otherwise
  std::optional<double> SteadyFinish(double max_spread) const;
  // Counts one job about to be first checked at SteadyFinish(); true for
  // every kRefreshEvery-th, which should be checked early instead.
  static constexpr std::size_t kRefreshEvery = 8;
  bool TakeRefresh();

  // Whether the server tells when jobs will be done. Records whether a
  // status answer for a job not done yet carried an eta; true until
  // kMinSamples are known, then while at least half of the last kWindow did.
  void RecordUnfinishedAnswer(bool had_eta);
  bool ServerGivesEta() const;

  // Without etas the engine learns when jobs finish from its own checks
  // (RecordExpectedFinish with what they found), and a job's checks follow
  // what it learned: the first kLearnedLead times the 10th percentile of
  // the last kWindow expected finishes, once kMinSamples are known, or
  // kFasterLead times it while most first checks find jobs done (they
  // became faster than the history says, and a check that finds a job done
  // tells only that it was done by then) ...
  static constexpr double kLearnedLead = 0.95;
  static constexpr double kFasterLead = 0.5;
  std::optional<double> LearnedStart() const;
  // ... and the later ones a share of the time since its POST answer:
  // kFineStep while the finishes are steady (the 90th percentile within
  // kSteadySpread of the 10th) and first checks mostly find jobs not done
  // yet (they start close before the finish), so that such a job is seen
  // done within 2.5% of its time and its finish is known within 2.5% (the
  // steady finish is the 90th percentile of such estimates). Otherwise
  // kSpreadStep, or kRateLimitedStep under the request-rate limit, where
  // every check costs throughput: at 256 in flight, lognormal latencies
  // (median 200 ms, sigma 0.5) ran at 917 entries/s with 4.85 requests per
  // entry at 25%, 960 with 6.74 at 12.5% (docs/engine.md).
  static constexpr double kFineStep = 0.025;
  static constexpr double kSpreadStep = 0.125;
  static constexpr double kRateLimitedStep = 0.25;
  double LearnedStep(bool rate_limited) const;
  // Past this (the 90th percentile of the expected finishes) a job is
  // slower than most: its steps grow (scheduler/poll_policy.h).
  std::optional<double> LearnedHorizon() const;

 private:
  // The last kWindow samples of one kind.
  template <typename T>
  class Recent {
   public:
    void Add(T value) { values_[added_++ % kWindow] = value; }
    std::size_t known() const { return added_ < kWindow ? added_ : kWindow; }
    const T* begin() const { return values_.data(); }
    const T* end() const { return values_.data() + known(); }

   private:
    std::array<T, kWindow> values_{};
    std::size_t added_ = 0;
  };
  static std::size_t CountYes(const Recent<bool>& flags);

  Recent<bool> done_;        // first checks that found the job done
  Recent<bool> had_eta_;     // status answers for unfinished jobs that carried an eta
  Recent<double> finishes_;  // expected finishes, seconds after the POST answer
  // Their 10th and 90th percentile, computed as each is recorded (they are
  // read several times per check); nullopt before kMinSamples.
  std::optional<std::pair<double, double>> finish_range_;
  std::size_t steady_jobs_ = 0;  // TakeRefresh() calls
};

}  // namespace cnake::scheduler
