#!/usr/bin/env bash
# Throughput of cnake-charmer-server's status endpoint under wrk (keep-alive).
# Builds nothing: it runs the server binary from an existing build directory.
#
#   bench/server_wrk.sh [BUILD_DIR] [DURATION] [CONNECTIONS] [THREADS]
#   bench/server_wrk.sh build-server 10s 64 512
#
# Starts the server on a free loopback port (no delay, no faults), creates one
# job, runs `wrk -t1 -c<CONNECTIONS> -d<DURATION>` against GET
# /api/status/<id>, prints wrk's report and a final "requests/s: N" line, and
# stops the server. Run it on an otherwise idle machine: it needs the CPU.
set -euo pipefail

build_dir=${1:-build}
duration=${2:-10s}
connections=${3:-64}
server_threads=${4:-512}
binary="$build_dir/cnake-charmer-server"
[[ -x "$binary" ]] || { echo "no server binary at $binary (build cnake-charmer-server first)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }

workdir=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

env -u CNAKE_SERVER_API_KEY "$binary" --port 0 --quiet --threads "$server_threads" \
  --delay fixed:0ms >"$workdir/stdout" 2>"$workdir/stderr" &
server_pid=$!

base=""
for _ in $(seq 1 100); do
  if read -r line <"$workdir/stdout" 2>/dev/null && [[ "$line" == "listening on "* ]]; then
    base=${line#listening on }
    break
  fi
  sleep 0.05
done
[[ -n "$base" ]] || { echo "server did not start:" >&2; cat "$workdir/stderr" >&2; exit 1; }

request_id=$(curl -sS -X POST "$base/generate" -H 'Content-Type: application/json' \
  -d '{"prompt":"bench","target_languages":["python"],"source_code":"def f(x):\n    return x * 2\n"}' |
  sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p')
[[ -n "$request_id" ]] || { echo "could not create a job" >&2; exit 1; }

url="$base/status/$request_id"
echo "wrk -t1 -c$connections -d$duration $url (server --threads $server_threads)"
wrk -t1 -c"$connections" -d"$duration" --latency "$url" | tee "$workdir/wrk"
rps=$(awk '/^Requests\/sec:/ {print $2}' "$workdir/wrk")
echo "requests/s: $rps"
