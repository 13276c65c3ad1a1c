#!/usr/bin/env bash
# Builds every libFuzzer target with clang (-DCNAKE_FUZZ=ON, plus ASan+UBSan)
# in build-fuzz and runs each for N seconds on a copy of its seed corpus
# (fuzz/corpus/<name>). A crash, sanitizer report or leak fails the script;
# the reproducer is left in build-fuzz/artifacts/<name>/.
#   scripts/fuzz.sh            20 s per target
#   FUZZ_SECONDS=300 scripts/fuzz.sh
#   BUILD_DIR=build-rel-fuzz scripts/fuzz.sh api_messages_fuzz   one target
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-20}"
build="${BUILD_DIR:-build-fuzz}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR=1
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(api_messages_fuzz config_fuzz retry_after_fuzz importer_fuzz)
fi

lock() { if command -v flock >/dev/null && [ -w /tmp ]; then flock /tmp/cnake-build.lock "$@"; else "$@"; fi; }

echo "== build fuzz targets (clang, ASan+UBSan, -fsanitize=fuzzer) in $build =="
lock env CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCNAKE_FUZZ=ON -DCNAKE_SANITIZE=ON >/dev/null
lock cmake --build "$build" --target "${targets[@]}" -j"${JOBS:-2}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  name="${t%_fuzz}"
  bin="$(find "$build" -type f -name "$t" -perm -u+x | head -1)"
  seeds="fuzz/corpus/$name"
  work="$build/corpus/$name"
  art="$build/artifacts/$name/"
  mkdir -p "$work" "$art"
  # The working corpus persists between runs (what earlier runs found is kept);
  # the checked-in seeds, including every fixed crash's reproducer, are always in it.
  if [ -d "$seeds" ]; then cp -n "$seeds"/* "$work"/; fi
  echo "== $t: ${seconds}s, seeds $seeds =="
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$art" -print_final_stats=1 "$work" 2>"$build/$t.log"; then
    grep -E "stat::number_of_executed_units|cov: " "$build/$t.log" | tail -2
  else
    echo "FAILED: $t (log: $build/$t.log, reproducer in $art)"
    tail -30 "$build/$t.log"
    status=1
  fi
done
exit $status
