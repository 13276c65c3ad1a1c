#!/usr/bin/env bash
# Builds the concurrency-relevant tests with ThreadSanitizer (-DCNAKE_TSAN=ON)
# in build-tsan and runs them:
#   engine_test          the event loop, grouped commits, live status, cancel
#   curl_transport_test  Wakeup from other threads, scripted servers on threads
#   scheduler_test       the clocks shared between the loop and waiters
#   server_http_test     the reference server's HTTP and job threads
#   integration_tests    (filtered) the TSan-built client as a real process:
#                        status/cancel over the control channel's HTTP thread
#                        from a second process, SIGINT, kill -9 and resume.
# Every TSan-built program writes its reports to build-tsan/tsan-reports/
# (cmake/tsan_defaults.cc), so a race in a child process fails this script
# even when the test that started the child did not notice.
# TSan cannot see inside the prebuilt libduckdb.so, so this build runs DuckDB
# on one thread and links it first (src/store/duckdb/duckdb.cc, CMakeLists.txt).
#   scripts/tsan.sh
#   TSAN_INTEGRATION_FILTER='*Sigint*' scripts/tsan.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BUILD_DIR:-build-tsan}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR=1
targets=(engine_test curl_transport_test scheduler_test server_http_test integration_tests)
integration_filter="${TSAN_INTEGRATION_FILTER:-*StatusAndCancelFromASecondProcessWhileRunning*:*SigintStopsGracefully*:*KillNine*}"

lock() { if command -v flock >/dev/null && [ -w /tmp ]; then flock /tmp/cnake-build.lock "$@"; else "$@"; fi; }

echo "== build with -fsanitize=thread in $build =="
lock cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCNAKE_TSAN=ON >/dev/null
# Read the target list once: `grep -q` on a pipe would close it early and,
# under pipefail, turn make's SIGPIPE into "target absent".
known="$(cmake --build "$build" --target help)"
present=()
for t in "${targets[@]}"; do
  if grep -qx "\.\.\. $t" <<<"$known"; then present+=("$t"); fi
done
if [ ${#present[@]} -eq 0 ]; then echo "tsan.sh: none of ${targets[*]} is defined" >&2; exit 1; fi
lock cmake --build "$build" --target "${present[@]}" -j"${JOBS:-2}"

# setarch -R: TSan's shadow memory needs a non-randomized layout on newer
# kernels; the personality is inherited by the child processes the tests start.
run() { if setarch "$(uname -m)" -R true 2>/dev/null; then setarch "$(uname -m)" -R "$@"; else "$@"; fi; }
reports="$(cd "$build" && pwd)/tsan-reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
for t in "${present[@]}"; do
  # Absolute: the test runs from its own directory (fixtures are found relative to it).
  bin="$(find "$(cd "$build" && pwd)" -type f -name "$t" -perm -u+x | head -1)"
  echo "== $t =="
  start=$(date +%s)
  args=(--gtest_brief=1)
  [ "$t" = integration_tests ] && args+=(--gtest_filter="$integration_filter")
  # No halt_on_error: a halted harness would orphan the processes it started
  # (a race makes the process exit 66 at the end, and its report file fails
  # the run below).
  if ! (cd "$(dirname "$bin")" && run "$bin" "${args[@]}"); then status=1; fi
  echo "   $(( $(date +%s) - start ))s"
done

if compgen -G "$reports/tsan.*" >/dev/null; then
  echo "== ThreadSanitizer reports (one file per process) =="
  for f in "$reports"/tsan.*; do echo "--- $f"; cat "$f"; done
  status=1
fi
[ $status -eq 0 ] && echo "== tsan: no ThreadSanitizer report =="
exit $status
