#!/usr/bin/env bash
# Our client and the Node client side by side against an API that throttles:
# the independent FastAPI peer (tools/fastapi_peer) allowing THR_LIMIT
# requests per second and answering the rest with 429 and an HTTP-date
# Retry-After, jobs of 0.5-1.5 s. Both clients run with their defaults and
# the flags a user sets, --max-concurrent THR_C and --rpm THR_RPM (by default
# far above what the API allows: the user does not know its limit), on copies
# of one seed-schema database made by the Node client's gen_db.mjs.
#
#   bench/throttled.sh [BUILD_DIR]
#   THR_ENTRIES=100 THR_C=16 THR_LIMIT=10 THR_RPM=100000 BENCH_OUT=DIR
#
# Prints, per client: wall time, entries/s, requests sent and answered 429,
# and the share of the API's allowance used (requests answered 2xx per second
# over THR_LIMIT). Needs /usr/bin/python3 with FastAPI (scripts/bootstrap.sh),
# node and npm (else the Node side is skipped).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build_dir="$(cd "${1:-$root/build}" && pwd)"
source "$here/lib.sh"

THR_ENTRIES=${THR_ENTRIES:-100}
THR_C=${THR_C:-16}
THR_LIMIT=${THR_LIMIT:-10}
THR_RPM=${THR_RPM:-100000}
NODE_CLIENT_DIR=${NODE_CLIENT_DIR:-$root/../shared/peers/node-client}
out="${BENCH_OUT:-$build_dir/bench-results}"
mkdir -p "$out"
work=$(mktemp -d)
peer_pid=""
trap '[[ -n "$peer_pid" ]] && kill "$peer_pid" 2>/dev/null; rm -rf "$work"' EXIT

# The database comes from the Node client's gen_db.mjs: without it, no run.
if ! install_node_client throttled.sh "$work/node-client" >&2; then
  echo "throttled.sh: nothing measured" >&2
  exit 0
fi
node "$work/node-client/gen_db.mjs" "$work/base.duckdb" "$THR_ENTRIES" --force >/dev/null

# run NAME CMD: a fresh peer and a fresh copy of the database
# ($work/NAME.duckdb), then the shell command CMD, which finds the peer's URL
# in $PEER_URL.
run() {
  local name=$1 cmd=$2 line=""
  cp "$work/base.duckdb" "$work/$name.duckdb"
  : >"$work/$name.log"
  /usr/bin/python3 "$root/tools/fastapi_peer/peer.py" --latency uniform:0.5,1.5 \
    --rate-limit "$THR_LIMIT" --request-log "$work/$name.log" >"$work/peer.out" 2>&1 &
  peer_pid=$!
  for _ in $(seq 1 200); do
    read -r line <"$work/peer.out" 2>/dev/null && [[ "$line" == "listening on "* ]] && break
    sleep 0.05
  done
  export PEER_URL=${line#listening on }
  local s e
  s=$(date +%s.%N)
  bench_locked bash -c "$cmd" >"$out/throttled-$name.out" 2>"$out/throttled-$name.err"
  e=$(date +%s.%N)
  kill "$peer_pid"
  wait "$peer_pid" 2>/dev/null || true
  peer_pid=""
  python3 - "$work/$name.log" "$name" "$s" "$e" "$THR_ENTRIES" "$THR_LIMIT" <<'PY'
import json, sys
log, name = sys.argv[1], sys.argv[2]
s, e, n, limit = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
lines = [json.loads(l) for l in open(log)]
wall = e - s
ok = sum(1 for l in lines if 200 <= l.get("status", 0) < 300)
throttled = sum(1 for l in lines if l.get("status") == 429)
print(f"{name}: {wall:.1f} s, {n / wall:.2f} entries/s, {len(lines)} requests"
      f" ({throttled} answered 429), {ok / wall / limit:.2f} of the API's allowance used")
PY
}

echo "throttled API: $THR_LIMIT requests/s, jobs 0.5-1.5 s, $THR_ENTRIES entries," \
  "C=$THR_C, --rpm $THR_RPM" | tee "$out/throttled.txt"
run ours 'CNAKE_API_BASE_URL=$PEER_URL CNAKE_API_KEY=bench-key '"'$build_dir/cnake-charmer-client'"' \
  process --db-path '"'$work/ours.duckdb'"' --batch-size '"$THR_ENTRIES"' \
  --max-concurrent '"$THR_C"' --rpm '"$THR_RPM"' --progress none --log-file ""' |
  tee -a "$out/throttled.txt"
run node 'CNAKE_API_KEY=bench-key node '"'$work/node-client/client.mjs'"' \
  --db '"'$work/node.duckdb'"' --base $PEER_URL --concurrency '"$THR_C"' \
  --connections '"$THR_C"' --rpm '"$THR_RPM"' --quiet' | tee -a "$out/throttled.txt"
