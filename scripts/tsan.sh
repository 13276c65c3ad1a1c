#!/usr/bin/env bash
# Builds the concurrency-relevant tests with ThreadSanitizer (-DCNAKE_TSAN=ON)
# in build-tsan and runs them: the engine (event loop, grouped commits, live
# status) and the curl transport (Wakeup from other threads, scripted servers
# on threads) as unit tests; the control channel (its HTTP thread) and signal
# handling have no unit tests, so the TSan-built client runs the integration
# tests that exercise them (status/cancel from a second process, SIGINT).
# A data race in the child client makes it exit 66, which fails the test.
#   scripts/tsan.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BUILD_DIR:-build-tsan}"
targets=(engine_test curl_transport_test integration_tests)
integration_filter='*StatusAndCancelFromASecondProcessWhileRunning*:*SigintStopsGracefully*:*KillNine*'

lock() { if command -v flock >/dev/null && [ -w /tmp ]; then flock /tmp/cnake-build.lock "$@"; else "$@"; fi; }

echo "== build with -fsanitize=thread in $build =="
lock cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCNAKE_TSAN=ON >/dev/null
present=()
for t in "${targets[@]}"; do
  if cmake --build "$build" --target help | grep -q "^\.\.\. $t\$"; then present+=("$t"); fi
done
lock cmake --build "$build" --target "${present[@]}" -j"${JOBS:-2}"

# setarch -R: TSan's shadow memory needs a non-randomized layout on newer kernels.
run() { if setarch "$(uname -m)" -R true 2>/dev/null; then setarch "$(uname -m)" -R "$@"; else "$@"; fi; }
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}"
status=0
for t in "${present[@]}"; do
  bin="$(find "$build" -type f -name "$t" -perm -u+x | head -1)"
  echo "== $t =="
  start=$(date +%s)
  args=(--gtest_brief=1)
  [ "$t" = integration_tests ] && args+=(--gtest_filter="$integration_filter")
  if ! (cd "$(dirname "$bin")" && run "$bin" "${args[@]}"); then status=1; fi
  echo "   $(( $(date +%s) - start ))s"
done
exit $status
