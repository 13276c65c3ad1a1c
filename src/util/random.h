// A small deterministic random source for jitter. Scheduling functions take
// their randomness as a uniform01 argument; this is where the engine gets it,
// and tests seed it to make runs reproducible.
#pragma once

#include <cstdint>

namespace cnake {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, passes BigCrush, and any
// seed (including 0) is fine. Not cryptographic. Not thread-safe: give each
// thread its own instance.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1), with 53 bits of precision.
  double Uniform01() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace cnake
