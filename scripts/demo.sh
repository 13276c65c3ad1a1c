#!/usr/bin/env bash
# The end-to-end demo on a fresh machine: installs dependencies, builds,
# imports the bundled Cython samples into a new database, starts the reference
# API server on a free loopback port (with a little latency and a few injected
# faults, so retries show), runs `process`, and prints the batch summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"${JOBS:-2}" --target cnake-charmer-client cnake-charmer-server

work="$root/out/demo"
rm -rf "$work"
mkdir -p "$work"
db="$work/samples.duckdb"
client="$root/build/cnake-charmer-client"

cat > "$work/scenario.json" <<'JSON'
{"seed": 7, "endpoints": {"generate": {"503": 0.1}, "status": {"429": 0.05}}}
JSON
"$root/build/cnake-charmer-server" --port 0 --delay uniform:100ms,600ms --capacity 8 \
  --scenario "$work/scenario.json" --request-log "$work/requests.jsonl" --quiet \
  > "$work/server.out" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$work/server.out" ] && break; sleep 0.1; done
url="$(head -n 1 "$work/server.out" | sed 's/^listening on //')"
echo "reference API server: $url"

"$client" import samples/cython --db-path "$db"
set +e
CNAKE_API_RETRY_DELAY=0.2 "$client" process --db-path "$db" --base-url "$url" \
  --batch-size 1000 --max-concurrent 8 --rpm 1200
status=$?
set -e
"$client" stats --db-path "$db"
echo "generated Python: $client export --db-path $db --format py -o out/demo/python"
exit "$status"
