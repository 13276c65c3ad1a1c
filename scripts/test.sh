#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs dependencies, builds,
# runs every test, then rebuilds the unit tests with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs them again.
#   scripts/test.sh            everything
#   SKIP_SANITIZERS=1 scripts/test.sh   skip the sanitizer pass
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${JOBS:-2}"
# Let ccache share objects between checkouts in different directories.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

scripts/bootstrap.sh

echo "== build (RelWithDebInfo) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests =="
(cd build && ctest --output-on-failure -j"$jobs" --timeout 300)

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== unit tests under -fsanitize=address,undefined =="
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCNAKE_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 300 -L unit)
fi
