#include "util/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cnake {
namespace {

struct Target {
  std::string name;
  long at = 1;
};

const Target* ReadTarget() {
  const char* spec = std::getenv("CNAKE_CRASH_AT");
  if (spec == nullptr || *spec == '\0') return nullptr;
  auto* t = new Target;  // lives for the process
  std::string s(spec);
  auto colon = s.find(':');
  t->name = s.substr(0, colon);
  if (colon != std::string::npos)
    t->at = std::max(1L, std::strtol(s.c_str() + colon + 1, nullptr, 10));
  return t;
}

}  // namespace

void CrashPoint(const char* name) {
  static const Target* target = ReadTarget();
  static std::atomic<long> hits{0};
  if (target == nullptr || target->name != name) return;
  if (hits.fetch_add(1) + 1 == target->at) kill(getpid(), SIGKILL);
}

}  // namespace cnake
