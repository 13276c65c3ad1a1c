#include "config/secret.h"

#include <openssl/evp.h>

#include <array>

namespace cnake {

std::string Secret::Fingerprint() const {
  if (value_.empty()) return "";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(value_.data(), value_.size(), digest.data(), &digest_len, EVP_sha256(), nullptr) !=
          1 ||
      digest_len < 4) {
    return "sha256:?";  // OpenSSL failure; never fall back to showing the value
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (int i = 0; i < 4; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

}  // namespace cnake
