#!/usr/bin/env bash
# A/B of two client builds (or one build in two environments), alternated
# run by run on copies of one database, so that the machine's drift hits
# both alike. Each run: a fresh cnake-charmer-server, `process` with only
# --max-concurrent and --rpm set (the default ./processing.log goes to a
# scratch directory), /usr/bin/time for CPU and peak RSS.
#
#   bench/ab.sh BUILD_DIR CLIENT_A CLIENT_B [MODE DELAY C N ROUNDS]
#   AB_ENV_A="VAR=value ..." AB_ENV_B="..."   extra environment per side
#
# Defaults: async 0ms 64 20000 3. The database is made by store_bench
# make-db (our schema, the gcd sample). Prints one line per run:
#   A|B mode delay C=… entries/s CPU ms/entry user ms/entry peak RSS MB
# The server comes from BUILD_DIR; the script takes /tmp/cnake-build.lock
# itself for each timed run (bench/lib.sh): do not wrap it in flock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [[ $# -lt 3 ]]; then
  sed -n '2,16p' "$0" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
client_a=$(realpath "$2")
client_b=$(realpath "$3")
mode=${4:-async} delay=${5:-0ms} conc=${6:-64} n=${7:-20000} rounds=${8:-3}
SERVER_BIN="$build_dir/cnake-charmer-server"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
work=$(mktemp -d)
trap 'stop_servers; rm -rf "$work"' EXIT
"$build_dir/bench/store_bench" make-db "$work/base.duckdb" "$n" \
  "$root/samples/cython/math/gcd.pyx" >/dev/null

run_one() {  # run_one LABEL CLIENT ENV
  local label=$1 client=$2 env_words=$3 wall user sys rss
  start_server "$work" "server" --threads 512 --capacity 4096 --mode "$mode" \
    --delay "fixed:$delay"
  rm -f "$work"/run.duckdb* "$work/processing.log"*
  cp "$work/base.duckdb" "$work/run.duckdb"
  # shellcheck disable=SC2086  # the environment words split on purpose
  (cd "$work" && bench_locked env $env_words CNAKE_API_BASE_URL="$SERVER_URL" \
    CNAKE_API_KEY=bench-key /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$client" process \
    --db-path "$work/run.duckdb" --batch-size "$n" --max-concurrent "$conc" --rpm 1000000 \
    --progress none) >"$work/out" 2>&1 ||
    { echo "ab.sh: $label failed:" >&2; tail -5 "$work/out" >&2; exit 1; }
  stop_servers
  read -r wall user sys rss <"$work/time"
  python3 -c "print('$label $mode $delay C=$conc', 'entries/s %.0f' % ($n / $wall),
      'cpu_ms %.3f' % (($user + $sys) * 1000 / $n), 'user_ms %.3f' % ($user * 1000 / $n),
      'rss_mb %d' % ($rss / 1024))"
}

for _ in $(seq 1 "$rounds"); do
  run_one A "$client_a" "${AB_ENV_A:-}"
  run_one B "$client_b" "${AB_ENV_B:-}"
done
