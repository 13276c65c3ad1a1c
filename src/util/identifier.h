// SQL identifier rules shared by config validation and the store.
#pragma once

#include <string_view>

namespace cnake {

// True when `name` matches ^[A-Za-z_][A-Za-z0-9_]{0,62}$. Table names from
// configuration must pass this before any SQL runs; they are quoted as well.
inline bool IsValidIdentifier(std::string_view name) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (name.empty() || name.size() > 63 || !alpha(name[0])) return false;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace cnake
