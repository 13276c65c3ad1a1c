// ThreadSanitizer defaults compiled into every program of a -DCNAKE_TSAN=ON
// build (unit tests, integration tests, the client, the reference server).
// They are compiled in rather than passed through TSAN_OPTIONS because the
// integration tests start the client with an exact environment, so an
// environment variable would not reach the process under test. TSAN_OPTIONS
// still applies on top of these (it is parsed after them).

#ifndef CNAKE_TSAN_REPORT_DIR
#error "CNAKE_TSAN_REPORT_DIR must name the directory for TSan reports"
#endif

extern "C" {

// Every report of every process goes to <build>/tsan-reports/tsan.<pid>, so
// scripts/tsan.sh can fail on a race in a child process even when that
// child's stderr was a temporary file or its exit code was not checked.
const char* __tsan_default_options() {
  return "log_path=" CNAKE_TSAN_REPORT_DIR "/tsan second_deadlock_stack=1";
}

// Only third-party code is suppressed here; a race in our own code is fixed
// at its cause, never listed.
const char* __tsan_default_suppressions() {
  // libduckdb.so is a prebuilt, uninstrumented library. TSan sees its worker
  // threads free task and pipeline objects (through the operator delete
  // interceptor) but not the atomic reference counts and locks inside DuckDB
  // that order those frees, so every task handoff in DuckDB's scheduler is
  // reported as a race with both sides inside DuckDB. called_from_lib
  // ignores only the memory accesses of interceptors called from
  // libduckdb.so; our code's accesses and its locks stay checked.
  //
  // DuckDB's bundled jemalloc locks its arenas in a pre-fork handler and
  // unlocks them in a post-fork one. The locks are taken from libduckdb.so
  // (ignored above) but the unlocks are attributed to libc's handler runner
  // (a tail call), so TSan reports "unlock of an unlocked mutex" whenever a
  // process with DuckDB loaded forks (the integration tests' harness). Our
  // code registers no fork handlers, so nothing of ours can match this.
  return "called_from_lib:libduckdb.so\n"
         "mutex:__run_postfork_handlers\n";
}

}  // extern "C"
