// Exponential backoff arithmetic shared by the retry policy and the circuit
// breaker. Pure functions; randomness is passed in.
#pragma once

#include "util/clock.h"

namespace cnake::scheduler {

// Clamps a caller-supplied random number into [0, 1]; NaN becomes 0. Makes
// every function that takes `uniform01` total over all doubles.
double ClampUnit(double uniform01);

// min(max_delay, base * 2^exponent), computed without overflow for any
// exponent (negative exponents count as 0). Negative durations count as 0.
Duration BackoffCap(Duration base, Duration max_delay, int exponent);

// cap * uniform01, rounded to the nearest nanosecond: "full jitter" (AWS
// Architecture Blog, "Exponential Backoff And Jitter", 2015). Result in
// [0, cap].
Duration ScaleDuration(Duration cap, double uniform01);

}  // namespace cnake::scheduler
