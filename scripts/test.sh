#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs dependencies, builds
# everything with AddressSanitizer and UndefinedBehaviorSanitizer, and runs
# every test (unit, integration, reliability, browser) under them, with a
# throwaway PostgreSQL server for the shared-store tests; then the
# concurrency tests under ThreadSanitizer (scripts/tsan.sh) and every libFuzzer
# target for FUZZ_SECONDS (scripts/fuzz.sh). All sections run; the script
# fails at the end if any of them failed, naming each.
#   JOBS=N scripts/test.sh          parallelism (default 2)
#   CTEST_ARGS="-L unit" scripts/test.sh   a subset
#   FUZZ_SECONDS=60 scripts/test.sh        longer fuzzing (default 15 s a target)
#   SKIP_TSAN=1 / SKIP_FUZZ=1 scripts/test.sh   leave a section out (local use)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${JOBS:-2}"
# Let ccache share objects between checkouts in different directories.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

scripts/bootstrap.sh

echo "== build (Debug, -fsanitize=address,undefined) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCNAKE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"

# A throwaway PostgreSQL server for the shared-store tests (scripts/pg_server.sh),
# stopped on the way out whatever happens. CNAKE_TEST_REQUIRE_PG makes a test
# that finds no server fail instead of skipping: here they must run.
echo "== PostgreSQL test server =="
eval "$(scripts/pg_server.sh start)"
trap 'scripts/pg_server.sh stop || true' EXIT
export CNAKE_TEST_PG_URL CNAKE_TEST_PG_DIR CNAKE_TEST_REQUIRE_PG=1
echo "PostgreSQL at $CNAKE_TEST_PG_URL"

failed=()
section() {  # section <name> <command...>: runs it, times it, records a failure
  local name="$1" start=$SECONDS
  shift
  if ! "$@"; then failed+=("$name"); fi
  echo "== $name: $((SECONDS - start)) s =="
}

asan_tests() {
  echo "== tests =="
  # Scoped to this function: tsan.sh and fuzz.sh set their own options. The
  # same options are compiled into every program of the build
  # (cmake/asan_defaults.cc), so they also reach the client and server
  # processes the tests start with an exact environment.
  local -x ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  local -x UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # The soak-sized checks run in scripts/soak.sh: RecoveryTest (40 fault cases at
  # rate 0.5) and the memory bound of promise 6 (PeakMemory*: at 1,000,000
  # entries, and an ASan build's shadow memory is not the client's).
  # shellcheck disable=SC2086
  (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 600 \
    -E "${CTEST_EXCLUDE:-RecoveryTest|PeakMemory}" ${CTEST_ARGS:-})
}

section "ASan+UBSan tests" asan_tests
[ "${SKIP_TSAN:-0}" = 1 ] || section "ThreadSanitizer (scripts/tsan.sh)" env JOBS="$jobs" scripts/tsan.sh
[ "${SKIP_FUZZ:-0}" = 1 ] ||
  section "libFuzzer (scripts/fuzz.sh)" env JOBS="$jobs" FUZZ_SECONDS="${FUZZ_SECONDS:-15}" scripts/fuzz.sh

if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "== all sections passed =="
