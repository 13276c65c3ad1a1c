// Job processing-time distributions, written as text on the command line and
// in scenario files:
//
//   fixed:<d>                       every job takes exactly <d>
//   uniform:<lo>,<hi>               uniform in [lo, hi]
//   lognormal:median=<d>,sigma=<x>  median * exp(sigma * N(0,1)), capped at 1 h
//
// A duration <d> is a decimal number with a unit: us, ms, s or m ("250ms",
// "1.5s"); a bare "0" means zero. Sampling is a pure function of a 64-bit hash,
// so the same job key always gets the same duration.
#pragma once

#include <string>
#include <string_view>

#include "server/clock.h"
#include "util/status.h"

namespace cnake::server {

Result<Micros> ParseDuration(std::string_view text);
// Shortest exact rendering, e.g. "200ms", "1500us", "2s".
std::string FormatDuration(Micros d);

class DelaySpec {
 public:
  enum class Kind { kFixed, kUniform, kLognormal };

  DelaySpec() = default;  // fixed:0
  static Result<DelaySpec> Parse(std::string_view text);
  static DelaySpec Fixed(Micros d);

  // Canonical text that Parse() accepts.
  std::string ToString() const;
  Micros Sample(uint64_t hash) const;
  bool IsZero() const { return kind_ == Kind::kFixed && a_.count() == 0; }

 private:
  Kind kind_ = Kind::kFixed;
  Micros a_{0};  // fixed value, uniform low, or lognormal median
  Micros b_{0};  // uniform high
  double sigma_ = 0;
};

}  // namespace cnake::server
