// AddressSanitizer and UndefinedBehaviorSanitizer defaults compiled into every
// program of a -DCNAKE_SANITIZE=ON build (unit tests, integration tests, the
// client, the reference server), as cmake/tsan_defaults.cc does for TSan.
// They are compiled in rather than passed through ASAN_OPTIONS/UBSAN_OPTIONS
// because the integration tests start the client and the server with an
// exact environment, so an environment variable would not reach the process
// under test. The environment variables still apply on top of these (they
// are parsed after them).

extern "C" {

// abort_on_error: a report ends the process with SIGABRT (exit 134 as seen
// by a shell), which no test mistakes for one of the client's exit codes
// (ASan's default, exit code 1, is also the client's "some entries failed").
// detect_leaks: on for every process, including the children of tests.
// strict_string_checks: the C string functions check the whole string.
const char* __asan_default_options() {
  return "detect_leaks=1:abort_on_error=1:strict_string_checks=1";
}

// A report names where the undefined behaviour happened, also in a child
// process whose stderr only a failing test prints.
const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

}  // extern "C"
