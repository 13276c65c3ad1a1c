// Entropy as a dependency: batch ids and the live channel's token take their
// unpredictable bits from an Entropy, so tests can substitute a seeded one
// and get the same ids every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cnake {

class Entropy {
 public:
  virtual ~Entropy() = default;
  // Fills `size` bytes. Implementations must be safe to call from any thread.
  virtual void Fill(void* out, std::size_t size) = 0;

  std::uint64_t Next64();
  // `bytes` random bytes as lowercase hex.
  std::string Hex(std::size_t bytes);
};

// The operating system's cryptographic randomness (getrandom(2)).
Entropy& SystemEntropy();

}  // namespace cnake
