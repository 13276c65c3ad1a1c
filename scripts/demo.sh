#!/usr/bin/env bash
# The end-to-end demo on a fresh machine: installs dependencies, builds,
# imports the bundled Cython samples into a new database, starts the reference
# API server on a free loopback port (with a little latency and a few injected
# faults, so retries show), runs `process`, and prints the batch summary; then
# the same against the reference server speaking the OpenAI protocol.
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
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done' EXIT
# Starts the reference server with the given flags and sets $url to its base
# URL (not in a subshell: the EXIT trap must know every server's PID).
start_server() {
  local out="$1"
  shift
  "$root/build/cnake-charmer-server" --port 0 --quiet "$@" > "$out" &
  servers+=($!)
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  url="$(head -n 1 "$out" | sed 's/^listening on //')"
}
start_server "$work/server.out" --delay uniform:100ms,600ms --capacity 8 \
  --scenario "$work/scenario.json" --request-log "$work/requests.jsonl"
echo "reference API server: $url"

"$client" import samples/cython --db-path "$db"
set +e
CNAKE_API_RETRY_DELAY=0.2 "$client" process --db-path "$db" --base-url "$url" \
  --batch-size 1000 --max-concurrent 8 --rpm 1200
status=$?
set -e
"$client" stats --db-path "$db"
echo "generated Python: $client export --db-path $db --format py -o out/demo/python"

# The same samples through the OpenAI-compatible protocol (as vLLM, llama.cpp,
# OpenRouter or OpenAI speak it): the reference server in openai mode, with a
# provider-style budget in x-ratelimit-* headers and replies that need the
# client's code extraction (prose around the fence, no fence at all).
cat > "$work/scenario-openai.json" <<'JSON'
{"seed": 7, "endpoints": {"generate": {"429": 0.05, "500": 0.05, "prose": 0.15, "no_fence": 0.1}}}
JSON
echo
start_server "$work/server-openai.out" --protocol openai --delay uniform:200ms,800ms \
  --capacity 8 --rpm-limit 600 --tpm-limit 100000 --scenario "$work/scenario-openai.json" \
  --request-log "$work/requests-openai.jsonl"
echo "reference OpenAI-compatible server: $url"
db_openai="$work/samples-openai.duckdb"
"$client" import samples/cython --db-path "$db_openai"
set +e
CNAKE_API_PROTOCOL=openai CNAKE_API_MODEL=cnake-charmer-translator CNAKE_API_RETRY_DELAY=0.2 \
CNAKE_PROCESSING_RATE_LIMIT_TOKENS_PER_MINUTE=60000 \
CNAKE_API_PRICE_PER_MILLION_INPUT_TOKENS=0.15 CNAKE_API_PRICE_PER_MILLION_OUTPUT_TOKENS=0.6 \
  "$client" process --db-path "$db_openai" --base-url "$url" --batch-size 1000 \
  --max-concurrent 8 --rpm 1200
status_openai=$?
set -e
CNAKE_API_PRICE_PER_MILLION_INPUT_TOKENS=0.15 CNAKE_API_PRICE_PER_MILLION_OUTPUT_TOKENS=0.6 \
  "$client" stats --db-path "$db_openai"
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$status_openai"
