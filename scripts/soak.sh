#!/usr/bin/env bash
# The reliability promises (docs/reliability.md) at scale. Each step is a test
# that exists at CI size in `ctest -L reliability` / `-L integration`; here it
# runs longer, with more entries and more rounds.
#   scripts/soak.sh                 every step (about 30-40 min on 2 cores)
#   SOAK_STEPS="crash outage" scripts/soak.sh
# Steps:
#   crash     kill -9 at random moments and at every named crash point, repeated
#             SOAK_ROUNDS times (promises 1, 2)
#   matrix    the fault catalogue on every endpoint, recovery at 10x entries (3, 8)
#   outage    a 60 s 503 outage: no entry fails, requests within the breaker bound (5)
#   memory    peak RSS ≤ duckdb.memory_limit + 96 MiB and flat anonymous memory over
#             1,000,000 entries (6)
#   network   every hostile_proxy mode at 10x entries (7)
#   asan      the client built with ASan+UBSan against every hostile response (8)
#   scaleout  several runners on one PostgreSQL batch at 10x entries, repeated
#             SOAK_ROUNDS times: kill -9 mid-batch, rate sharing, restarts
#             (docs/scale-out.md)
#   tokens    the openai protocol's token budget over real 60 s windows (16)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${SOAK_STEPS:-crash matrix outage memory network asan scaleout tokens}"
rounds="${SOAK_ROUNDS:-5}"
build="${BUILD_DIR:-build}"
lock() { if command -v flock >/dev/null && [ -w /tmp ]; then flock /tmp/cnake-build.lock "$@"; else "$@"; fi; }
has() { case " $steps " in *" $1 "*) return 0;; *) return 1;; esac; }
step() { echo; echo "== $* ($(date +%T)) =="; }

lock cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
lock cmake --build "$build" --target cnake-charmer-client cnake-charmer-server hostile_proxy \
  reliability_tests integration_tests -j"${JOBS:-2}"
rel="$build/tests/reliability/reliability_tests"
integ="$build/tests/integration_tests"

if has crash; then
  step "crash safety: kill -9 and crash points, $rounds rounds"
  "$integ" --gtest_brief=1 --gtest_repeat="$rounds" \
    --gtest_filter='*KillNine*:*CrashPoint*:*SigintStops*'
fi
if has matrix; then
  step "fault catalogue, recovery at 10x entries"
  CNAKE_TEST_SCALE=10 "$rel" --gtest_brief=1 --gtest_filter='Catalogue/*'
fi
if has outage; then
  step "60 s outage"
  CNAKE_TEST_OUTAGE_S=60 CNAKE_TEST_SCALE=5 "$rel" --gtest_brief=1 \
    --gtest_filter='OverloadTest.Outage*:OverloadTest.InFlight*:OverloadTest.Sustained*'
fi
if has memory; then
  step "peak RSS and anonymous memory over 1,000,000 entries (about 15 min)"
  CNAKE_TEST_MEMORY_ENTRIES="${SOAK_MEMORY_ENTRIES:-1000000}" "$rel" --gtest_brief=1 \
    --gtest_filter='OverloadTest.PeakMemory*' --gtest_output=json:"$build/soak-memory.json"
  grep -oE '"(entries|peak_rss_kb|bound_kb|windows|worst_drift_kb|anon_kb_[a-z0-9_]*)": "?[0-9]*' \
    "$build/soak-memory.json" || true
fi
if has network; then
  step "hostile networks at 10x entries"
  CNAKE_TEST_SCALE=10 "$rel" --gtest_brief=1 --gtest_filter='Modes/*:BlackHole*'
fi
if has asan; then
  step "hostile responses against the ASan+UBSan client"
  asan="${ASAN_BUILD_DIR:-build-asan-soak}"
  lock cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DCNAKE_SANITIZE=ON >/dev/null
  lock cmake --build "$asan" --target cnake-charmer-client cnake-charmer-server hostile_proxy \
    reliability_tests -j"${JOBS:-2}"
  # Forwarded to the client by the test harness: any report aborts it (exit 134).
  export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  "$asan/tests/reliability/reliability_tests" --gtest_brief=1 \
    --gtest_filter='Catalogue/FaultMatrixTest.*:Modes/*:SecretsTest.*'
fi
if has scaleout; then
  step "scale-out on PostgreSQL at 10x entries, $rounds rounds"
  eval "$(scripts/pg_server.sh start)"
  trap 'scripts/pg_server.sh stop || true' EXIT
  CNAKE_TEST_PG_URL="$CNAKE_TEST_PG_URL" CNAKE_TEST_PG_DIR="$CNAKE_TEST_PG_DIR" \
    CNAKE_TEST_REQUIRE_PG=1 CNAKE_TEST_SCALE=10 "$rel" --gtest_brief=1 \
    --gtest_repeat="$rounds" --gtest_filter='ScaleOutTest.*'
fi
if has tokens; then
  step "token budget over 60 s windows (about 3 min)"
  SOAK_TOKEN_WINDOW_S=60 "$integ" --gtest_brief=1 --gtest_filter='OpenAiTest.TheTokenBudget*'
fi
echo; echo "soak: all steps passed ($steps)"
