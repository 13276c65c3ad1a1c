#!/usr/bin/env bash
# Scale-out throughput (docs/scale-out.md): one runner against four runners
# on one batch in a shared PostgreSQL database, against the reference server
# with 300 ms jobs and --max-concurrent 16 per runner. Everything else is the
# client's defaults (lease time, heartbeat, poll interval, chunk size) and
# PostgreSQL's (fsync on); --rpm is raised so that the rate limit is not
# what is measured. Entries/s counts from the first runner's start to the
# last runner's exit, join delays included.
#
#   bench/scale_out.sh [BUILD_DIR]        (default: build)
#   ONE_ENTRIES=800 FOUR_ENTRIES=3200 RUNNERS=4 bench/scale_out.sh
# Prints the figures and writes them to $BENCH_OUT/scale_out.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
CLIENT_BIN="$build/cnake-charmer-client"
SERVER_BIN="$build/cnake-charmer-server"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
one_entries=${ONE_ENTRIES:-800}
four_entries=${FOUR_ENTRIES:-3200}
runners=${RUNNERS:-4}
work="$(mktemp -d)"
out="${BENCH_OUT:-$work}"
mkdir -p "$out"

PG_FAST=0 eval "$("$root/scripts/pg_server.sh" start)"
cleanup() {
  stop_servers
  "$root/scripts/pg_server.sh" stop || true
  rm -rf "$work"
}
trap cleanup EXIT

start_server "$work" api --delay fixed:300ms --capacity 256
api="$SERVER_URL"

make_entries() {  # make_entries N FILE
  python3 - "$1" "$2" "$root/samples/cython" <<'EOF'
import json, pathlib, sys
n, path, samples = int(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
codes = [p.read_text() for p in sorted(samples.rglob("*.pyx"))]
with open(path, "w") as f:
    for i in range(n):
        f.write(json.dumps({"id": f"e{i:07d}", "code": codes[i % len(codes)] + f"\n# {i}\n"}) + "\n")
EOF
}

# run_batch SCHEMA ENTRIES RUNNERS: prints entries/s of the whole batch.
run_batch() {
  local schema=$1 n=$2 k=$3
  psql -q "$CNAKE_TEST_PG_URL" -c "CREATE SCHEMA $schema" >/dev/null
  export CNAKE_STORE_URL="$CNAKE_TEST_PG_URL?options=-csearch_path%3D$schema"
  make_entries "$n" "$work/$schema.jsonl"
  "$CLIENT_BIN" -q import "$work/$schema.jsonl" >/dev/null
  local flags=(--base-url "$api" --max-concurrent 16 --rpm 100000 --progress none)
  local start end pids=()
  start=$(date +%s.%N)
  "$CLIENT_BIN" process --batch-size "$n" "${flags[@]}" >"$work/$schema.a.out" 2>"$work/$schema.a.err" &
  pids+=($!)
  local batch=""
  for _ in $(seq 1 600); do
    batch=$(sed -n 's/^batch \(b-[0-9a-f-]*\): [0-9]* entries.*/\1/p' "$work/$schema.a.err" | head -n 1)
    [[ -n "$batch" ]] && break
    sleep 0.05
  done
  [[ -n "$batch" ]] || { cat "$work/$schema.a.err" >&2; return 1; }
  for i in $(seq 2 "$k"); do
    "$CLIENT_BIN" process --join "$batch" "${flags[@]}" >"$work/$schema.$i.out" 2>"$work/$schema.$i.err" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  end=$(date +%s.%N)
  local done_entries
  done_entries=$(psql -qtA "$CNAKE_STORE_URL" -c \
    "SELECT count(*) FROM cython_entries WHERE processing_status = 'completed'")
  [[ "$done_entries" == "$n" ]] || { echo "only $done_entries of $n completed" >&2; return 1; }
  python3 -c "print(f'{$n / ($end - $start):.2f}')"
}

one=$(bench_locked bash -c "$(declare -f run_batch make_entries); CLIENT_BIN=$CLIENT_BIN api=$api \
  work=$work root=$root CNAKE_TEST_PG_URL=$CNAKE_TEST_PG_URL run_batch one $one_entries 1")
many=$(bench_locked bash -c "$(declare -f run_batch make_entries); CLIENT_BIN=$CLIENT_BIN api=$api \
  work=$work root=$root CNAKE_TEST_PG_URL=$CNAKE_TEST_PG_URL run_batch many $four_entries $runners")
ratio=$(python3 -c "print(f'{$many / $one:.2f}')")
{
  echo "scale_out_one_runner_entries_per_s: $one"
  echo "scale_out_${runners}_runners_entries_per_s: $many"
  echo "scale_out_ratio: $ratio"
} | tee "$out/scale_out.txt"
