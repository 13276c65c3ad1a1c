#include "util/entropy.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace cnake {
namespace {

class SystemEntropyImpl final : public Entropy {
 public:
  void Fill(void* out, std::size_t size) override {
    auto* p = static_cast<unsigned char*>(out);
    while (size > 0) {
      const ssize_t n = getrandom(p, size, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::abort();  // no kernel randomness: nothing safe to fall back to
      }
      p += n;
      size -= static_cast<std::size_t>(n);
    }
  }
};

}  // namespace

std::uint64_t Entropy::Next64() {
  std::uint64_t v = 0;
  Fill(&v, sizeof v);
  return v;
}

std::string Entropy::Hex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  Fill(buf.data(), buf.size());
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : buf) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

Entropy& SystemEntropy() {
  static SystemEntropyImpl entropy;
  return entropy;
}

}  // namespace cnake
