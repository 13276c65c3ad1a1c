#include "config/secret.h"

#include "util/sha256.h"

namespace cnake {

std::string Secret::Fingerprint() const {
  if (value_.empty()) return "";
  const std::string hex = Sha256Hex(value_);
  // On an OpenSSL failure never fall back to anything derived from the value.
  return hex.size() < 8 ? "sha256:?" : "sha256:" + hex.substr(0, 8);
}

std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

}  // namespace cnake
