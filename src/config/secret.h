// Secret: a string that must never reach a log, a terminal or an error message.
//
// Streaming or fmt-formatting a Secret prints "***"; the only way to get the
// plaintext is the explicitly named reveal(), so every use is easy to audit
// (grep for "reveal("). Fingerprint() lets users tell two keys apart without
// seeing them. Value type; not thread-safe to mutate concurrently.
#pragma once

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <string_view>

namespace cnake {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  // The plaintext. Call only where the secret is actually used (an HTTP header).
  const std::string& reveal() const { return value_; }
  // "sha256:" + the first 8 hex digits of SHA-256(value), or "" when empty.
  std::string Fingerprint() const;

  friend bool operator==(const Secret&, const Secret&) = default;

 private:
  std::string value_;
};

// Prints "***" whatever the value (also for an empty secret, so output does
// not reveal whether a key is configured; use empty() for that).
std::ostream& operator<<(std::ostream& os, const Secret& secret);

}  // namespace cnake

template <>
struct fmt::formatter<cnake::Secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const cnake::Secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
