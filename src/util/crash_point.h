// Named crash points for crash-safety tests (docs/reliability.md).
//
// When the environment variable CNAKE_CRASH_AT is "<name>" or "<name>:<n>",
// the n-th (default first) call of CrashPoint("<name>") kills the process with
// SIGKILL, exactly as `kill -9` would: no destructors, no flushing. Unset, a
// crash point costs one branch. Thread-safe.
#pragma once

namespace cnake {

void CrashPoint(const char* name);

}  // namespace cnake
