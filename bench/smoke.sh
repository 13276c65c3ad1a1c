#!/usr/bin/env bash
# Smoke test of the benchmark scripts: bench/run.sh end to end with tiny
# sizes (well under 60 s), checking that every figure is produced. Figures
# from such short runs mean nothing; only the plumbing is tested.
#
#   bench/smoke.sh [BUILD_DIR]      (default: build)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${1:-$here/../build}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Without the `node` section: it installs the Node peer's packages from the
# npm registry and runs 20,000 entries a case (bench/vs_node.sh).
BENCH_SECTIONS="ceiling latency rate memory store" BENCH_OUT="$out" CEILING_ENTRIES=300 CEILING_CONCURRENCY=16 WRK_DURATION=1s \
  LATENCY_ENTRIES=200 LATENCY_CONCURRENCY=64 LATENCY_DELAY_MS=100 \
  RATE_RPM=1200 RATE_SECONDS=3 MEMORY_SIZES="100 300" STORE_QUERY_ENTRIES=2000 \
  WRITER_ENTRIES=2000 WRITER_ROWS=256 WRITER_GROUP=64 \
  "$here/run.sh" "$build_dir" >"$out/run.log" 2>&1 || {
  echo "smoke: bench/run.sh failed:" >&2
  cat "$out/run.log" >&2
  exit 1
}

missing=0
for key in async_ceiling_ratio async_client_entries_per_s async_wrk_requests_per_s \
  async_client_cpu_s_per_1000 sync_ceiling_ratio latency_ratio latency_sync_ratio rate_requests_in_window \
  rate_max_1s_window memory_100_peak_rss_kb memory_300_result_bytes memory_growth_mib \
  writer_ratio session_writer_ratio stats_s cli_stats_s cli_status_s bare_status_s; do
  value=$(sed -n "s/^$key: //p" "$out/figures.txt")
  if [[ -z "$value" || "$value" == nan ]]; then
    echo "smoke: figure $key missing or not a number" >&2
    missing=1
  fi
done
if ((missing)); then
  cat "$out/figures.txt" >&2
  exit 1
fi
grep -q '^| Figure | Value | Target |$' "$out/summary.md" || { echo "smoke: no summary table" >&2; exit 1; }
echo "smoke: bench/run.sh produced every figure ($(wc -l <"$out/figures.txt") lines)"
