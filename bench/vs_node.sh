#!/usr/bin/env bash
# Our client against the Node.js peer (../shared/peers/node-client), side by
# side in one run, with the settings a user runs: defaults plus
# `--max-concurrent C --rpm 1000000`, nothing else (no poll-interval or burst
# override). Both run on copies of one database made outside our client
# (the peer's gen_db.mjs: seed schema only, DuckDB's default row groups),
# one after the other, against one cnake-charmer-server per case
# (--threads 512 --capacity 4096).
#
#   bench/vs_node.sh [BUILD_DIR]
#
#   VS_CASES   "async:0ms:64 async:200ms:256 sync:200ms:256"   MODE:DELAY:C, DELAY
#              a duration (fixed) or a server --delay spec (lognormal:median=200ms,sigma=0.5)
#   VS_SERVER_FLAGS  extra cnake-charmer-server flags for every case (e.g. --no-eta)
#   VS_RPM     1000000: both clients' --rpm (lower it to compare them under a binding limit)
#   VS_ENTRIES 20000
#   NODE_CLIENT_DIR ../shared/peers/node-client (copied, then `npm install`)
#   BENCH_OUT  BUILD_DIR/bench-results; BENCH_LOCK as in lib.sh
#
# Per client and case: entries/s, requests per entry (counted by the server,
# /admin/stats), client CPU ms per entry, peak RSS, server CPU s. A third row,
# `floor`, is bench/http_floor: the same jobs over HTTP with the least client
# work (no store), the floor under any client's CPU per entry. Without
# node or npm, or when the install fails, the Node side is skipped with a
# line saying so (the database then comes from our store_bench).
# Output: BENCH_OUT/vs_node.md (table) and BENCH_OUT/vs_node.txt (key: value).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build_dir="$(cd "${1:-$root/build}" && pwd)"
CLIENT_BIN="$build_dir/cnake-charmer-client"
SERVER_BIN="$build_dir/cnake-charmer-server"
STORE_BENCH="$build_dir/bench/store_bench"
FLOOR_BIN="$build_dir/bench/http_floor"
for b in "$CLIENT_BIN" "$SERVER_BIN"; do
  [[ -x "$b" ]] || { echo "vs_node.sh: missing $b (build it first)" >&2; exit 2; }
done
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

VS_CASES=${VS_CASES:-"async:0ms:64 async:200ms:256 sync:200ms:256"}
VS_ENTRIES=${VS_ENTRIES:-20000}
VS_RPM=${VS_RPM:-1000000}
NODE_CLIENT_DIR=${NODE_CLIENT_DIR:-$root/../shared/peers/node-client}
out="${BENCH_OUT:-$build_dir/bench-results}"
mkdir -p "$out"
work=$(mktemp -d)
trap 'stop_servers; rm -rf "$work"' EXIT
table="$out/vs_node.md"
figures="$out/vs_node.txt"
: >"$figures"

# The peer, installed in a scratch copy.
node_ok=0
if install_node_client vs_node.sh "$work/node-client" | tee -a "$figures"; then
  node_ok=1
fi

base="$work/base.duckdb"
if [[ $node_ok == 1 ]]; then
  node "$work/node-client/gen_db.mjs" "$base" "$VS_ENTRIES" --force >/dev/null
else
  "$STORE_BENCH" make-db "$base" "$VS_ENTRIES" "$root/samples/cython/math/gcd.pyx" >/dev/null
fi

admin_requests() {  # requests the server answered so far (every endpoint)
  curl -s "${SERVER_URL%/api}/admin/stats" |
    python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["requests"].values()))'
}
server_cpu() { awk '{print ($14 + $15) / 100}' "/proc/${BENCH_PIDS[-1]}/stat"; }

# measure NAME CMD...: runs CMD under /usr/bin/time holding the lock; sets
# WALL CPU RSS_MB REQS SRV_CPU.
measure() {
  local name=$1 r0 c0
  shift
  r0=$(admin_requests)
  c0=$(server_cpu)
  bench_locked /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" \
    >"$out/$name.out" 2>"$out/$name.err"
  read -r WALL user sys rss <"$work/$name.time"
  CPU=$(calc 3 "$user + $sys")
  RSS_MB=$(calc 0 "$rss / 1024")
  REQS=$(($(admin_requests) - r0))
  SRV_CPU=$(calc 2 "$(server_cpu) - $c0")
}

calc() { python3 -c "print(f'{$2:.$1f}')"; }

{
  echo "| Case ($VS_ENTRIES entries) | Client | entries/s | requests/entry | client CPU ms/entry | peak RSS MB | server CPU s |"
  echo "|---|---|---|---|---|---|---|"
} >"$table"

report() {  # report CASE CLIENT
  local eps
  eps=$(calc 0 "$VS_ENTRIES / $WALL")
  echo "| $1 | $2 | $eps | $(calc 2 "$REQS / $VS_ENTRIES") | $(calc 3 "$CPU * 1000 / $VS_ENTRIES") | $RSS_MB | $SRV_CPU |" >>"$table"
  {
    echo "$1.$2.entries_per_s: $eps"
    echo "$1.$2.requests_per_entry: $(calc 2 "$REQS / $VS_ENTRIES")"
    echo "$1.$2.cpu_ms_per_entry: $(calc 3 "$CPU * 1000 / $VS_ENTRIES")"
    echo "$1.$2.peak_rss_mb: $RSS_MB"
    echo "$1.$2.server_cpu_s: $SRV_CPU"
  } | tee -a "$figures"
}

for c in $VS_CASES; do
  mode=${c%%:*} conc=${c##*:} delay=${c#*:}
  delay=${delay%:*}
  # A bare duration is fixed; a full spec (uniform:…, lognormal:…) as given.
  [[ $delay == *:* ]] || delay="fixed:$delay"
  name="$mode-$(tr -c 'a-z0-9.\n' _ <<<"${delay#fixed:}")-c$conc${VS_SERVER_FLAGS:+-$(tr -c 'a-z0-9\n' _ <<<"${VS_SERVER_FLAGS#--}")}"
  # shellcheck disable=SC2086  # the flags split on purpose
  start_server "$work" "$name" --threads 512 --capacity 4096 --mode "$mode" --delay "$delay" \
    ${VS_SERVER_FLAGS:-}
  cp "$base" "$work/ours.duckdb"
  measure "$name-ours" env CNAKE_API_BASE_URL="$SERVER_URL" CNAKE_API_KEY=bench-key \
    "$CLIENT_BIN" process --db-path "$work/ours.duckdb" --batch-size "$VS_ENTRIES" \
    --max-concurrent "$conc" --rpm "$VS_RPM" --progress none
  grep -q "$VS_ENTRIES completed" "$out/$name-ours.out" ||
    { echo "vs_node.sh: $name: ours did not complete every entry" >&2; cat "$out/$name-ours.err" >&2; exit 1; }
  report "$name" ours
  if [[ $node_ok == 1 ]]; then
    cp "$base" "$work/node.duckdb"
    measure "$name-node" env CNAKE_API_KEY=bench-key node "$work/node-client/client.mjs" \
      --db "$work/node.duckdb" --base "$SERVER_URL" --concurrency "$conc" --connections "$conc" \
      --rpm "$VS_RPM" --quiet
    report "$name" node
  fi
  # The floor polls without pause: a floor only where jobs are done at once.
  if [[ -x "$FLOOR_BIN" && ( $mode == sync || $delay == fixed:0ms ) ]]; then
    measure "$name-floor" env CNAKE_API_KEY=bench-key "$FLOOR_BIN" "$SERVER_URL" "$VS_ENTRIES" \
      "$conc" "$root/samples/cython/math/gcd.pyx"
    report "$name" floor
  fi
  rm -f "$work"/ours.duckdb* "$work"/node.duckdb*
  stop_servers
done
cat "$table"
