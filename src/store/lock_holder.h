// Who holds a database another process has locked, read from a kLocked
// status, so that the CLI can name it and say what to do.
#pragma once

#include <optional>
#include <string>

#include "util/status.h"

namespace cnake {

struct LockHolder {
  std::string program;
  long pid = 0;
};

// nullopt when the status does not name a holder.
std::optional<LockHolder> LockHolderOf(const Status& locked);

}  // namespace cnake
