#include "scheduler/first_check.h"

#include <algorithm>
#include <cmath>

namespace cnake::scheduler {

std::size_t FirstCheckHistory::CountYes(const Recent<bool>& flags) {
  return static_cast<std::size_t>(std::count(flags.begin(), flags.end(), true));
}

void FirstCheckHistory::Record(bool done) { done_.Add(done); }

bool FirstCheckHistory::PreferResults() const {
  return done_.known() >= kMinSamples && 2 * CountYes(done_) > done_.known();
}

void FirstCheckHistory::RecordExpectedFinish(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  finishes_.Add(seconds);
  const std::size_t n = finishes_.known();
  if (n < kMinSamples) return;
  std::array<double, kWindow> sorted{};
  std::copy(finishes_.begin(), finishes_.end(), sorted.begin());
  std::sort(sorted.begin(), sorted.begin() + n);
  const double p10 = sorted[(n + 9) / 10 - 1];      // ceil(0.1 n) - 1
  const double p90 = sorted[(n * 9 + 9) / 10 - 1];  // ceil(0.9 n) - 1
  finish_range_ = std::pair(p10, p90);
}

std::optional<double> FirstCheckHistory::SteadyFinish(double max_spread) const {
  const auto& range = finish_range_;
  if (!range || range->second > max_spread * range->first) return std::nullopt;
  return range->second;
}

void FirstCheckHistory::RecordUnfinishedAnswer(bool had_eta) { had_eta_.Add(had_eta); }

bool FirstCheckHistory::ServerGivesEta() const {
  return had_eta_.known() < kMinSamples || 2 * CountYes(had_eta_) >= had_eta_.known();
}

std::optional<double> FirstCheckHistory::LearnedStart() const {
  const auto& range = finish_range_;
  if (!range) return std::nullopt;
  return (PreferResults() ? kFasterLead : kLearnedLead) * range->first;
}

std::optional<double> FirstCheckHistory::LearnedHorizon() const {
  const auto& range = finish_range_;
  if (!range) return std::nullopt;
  return range->second;
}

double FirstCheckHistory::LearnedStep(bool rate_limited) const {
  const auto& range = finish_range_;
  const bool steady = range && range->second <= kSteadySpread * range->first;
  if (steady && !PreferResults()) return kFineStep;
  return rate_limited ? kRateLimitedStep : kSpreadStep;
}

bool FirstCheckHistory::TakeRefresh() {
  return steady_jobs_++ % kRefreshEvery == kRefreshEvery - 1;
}

}  // namespace cnake::scheduler
