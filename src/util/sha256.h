// SHA-256 as lowercase hex (OpenSSL). Thread-safe. Empty only if OpenSSL fails.
#pragma once

#include <string>
#include <string_view>

namespace cnake {

std::string Sha256Hex(std::string_view data);

}  // namespace cnake
