// SeededEntropy: an Entropy (util/entropy.h) that repeats the same bytes for
// the same seed, so batch ids and tokens are the same in every test run.
// Header-only. Thread-safe.
#pragma once

#include <cstring>
#include <mutex>

#include "util/entropy.h"
#include "util/random.h"

namespace cnake::testing {

class SeededEntropy final : public Entropy {
 public:
  explicit SeededEntropy(std::uint64_t seed) : random_(seed) {}
  void Fill(void* out, std::size_t size) override {
    std::lock_guard lock(mu_);
    auto* p = static_cast<unsigned char*>(out);
    while (size > 0) {
      const std::uint64_t v = random_.Next();
      const std::size_t n = std::min(size, sizeof v);
      std::memcpy(p, &v, n);
      p += n;
      size -= n;
    }
  }

 private:
  std::mutex mu_;
  Random random_;
};

}  // namespace cnake::testing
