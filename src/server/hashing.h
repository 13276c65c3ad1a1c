// Hashes used for fault decisions, delay sampling and the request log.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/sha256.h"

namespace cnake::server {

// Lowercase hex SHA-256: the project's one implementation.
using ::cnake::Sha256Hex;

// FNV-1a 64-bit of `data`; stable across platforms and runs.
uint64_t Fnv1a64(std::string_view data);

// SplitMix64 finaliser: a bijective, well-mixed 64-bit permutation.
uint64_t Mix64(uint64_t x);

// Combines values into one well-mixed hash (order matters).
uint64_t HashCombine(uint64_t a, uint64_t b);

// Maps a hash to a double uniformly distributed in [0, 1).
inline double UnitInterval(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

}  // namespace cnake::server
