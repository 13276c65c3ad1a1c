#!/usr/bin/env bash
# Reproduces every figure of docs/benchmarks.md in one run, side by side on
# this machine: client vs wrk ceiling (async and sync), latency hiding, rate
# accuracy, memory, store writer and queries, CPU cost.
#
#   bench/run.sh [BUILD_DIR]          (default: build; binaries must be built:
#                                      cnake-charmer-client, cnake-charmer-server,
#                                      bench/store_bench)
#
# Sizes come from the environment (defaults = the published figures):
#   BENCH_SECTIONS       "node ceiling latency rate memory store"
#                        node: bench/vs_node.sh, our client and the Node.js peer
#                        side by side (VS_CASES, VS_ENTRIES there)
#   CEILING_ENTRIES      100000   entries per client run (async and sync)
#   CEILING_CONCURRENCY  64       client max_concurrent = wrk connections
#   WRK_DURATION         10s
#   LATENCY_ENTRIES      20000    LATENCY_CONCURRENCY 256   LATENCY_DELAY_MS 200
#   RATE_RPM             3000     RATE_SECONDS 60   (burst: the client's default, 5)
#   MEMORY_SIZES         "10000 100000 1000000"   (sync mode)
#   STORE_QUERY_ENTRIES  1000000  WRITER_ENTRIES 100000  WRITER_ROWS 4096  WRITER_GROUP 64
#   BENCH_OUT            BUILD_DIR/bench-results
#   BENCH_LOCK           /tmp/cnake-build.lock (empty: no lock)
#
# Every timed step holds BENCH_LOCK so that builds of other users of the
# machine wait. Output: BENCH_OUT/figures.txt ("key: value" lines) and
# BENCH_OUT/summary.md (the table for docs/benchmarks.md); logs beside them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build_dir="$(cd "${1:-$root/build}" && pwd)"
CLIENT_BIN="$build_dir/cnake-charmer-client"
SERVER_BIN="$build_dir/cnake-charmer-server"
STORE_BENCH="$build_dir/bench/store_bench"
for b in "$CLIENT_BIN" "$SERVER_BIN" "$STORE_BENCH"; do
  [[ -x "$b" ]] || { echo "run.sh: missing $b (build it first)" >&2; exit 2; }
done
for tool in wrk python3 /usr/bin/time flock; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed (scripts/bootstrap.sh)" >&2; exit 2; }
done

# shellcheck source=bench/lib.sh
source "$here/lib.sh"

BENCH_SECTIONS=${BENCH_SECTIONS:-"node ceiling latency rate memory store"}
CEILING_ENTRIES=${CEILING_ENTRIES:-100000}
CEILING_CONCURRENCY=${CEILING_CONCURRENCY:-64}
WRK_DURATION=${WRK_DURATION:-10s}
LATENCY_ENTRIES=${LATENCY_ENTRIES:-20000}
LATENCY_CONCURRENCY=${LATENCY_CONCURRENCY:-256}
LATENCY_DELAY_MS=${LATENCY_DELAY_MS:-200}
RATE_RPM=${RATE_RPM:-3000}
RATE_SECONDS=${RATE_SECONDS:-60}
RATE_BURST=5  # the client's default processing.rate_limit.burst, which the run keeps
MEMORY_SIZES=${MEMORY_SIZES:-"10000 100000 1000000"}
STORE_QUERY_ENTRIES=${STORE_QUERY_ENTRIES:-1000000}
WRITER_ENTRIES=${WRITER_ENTRIES:-100000}
WRITER_ROWS=${WRITER_ROWS:-4096}
WRITER_GROUP=${WRITER_GROUP:-64}
out="${BENCH_OUT:-$build_dir/bench-results}"
mkdir -p "$out"
work=$(mktemp -d)
CODE_FILE="$root/samples/cython/math/gcd.pyx"

cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

figures="$out/figures.txt"
summary="$out/summary.md"
: >"$figures"
{
  echo "| Figure | Value | Target |"
  echo "|---|---|---|"
} >"$summary"
fig() { echo "$1: $2" | tee -a "$figures"; }       # fig KEY VALUE
row() { echo "| $1 | $2 | ${3:-} |" >>"$summary"; }  # row NAME VALUE TARGET
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }

fig date "$(date -u +%Y-%m-%dT%H:%MZ)"
fig machine "$(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
fig git "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
fig build "$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt")"

# make_db PATH N: a database with the client's schema and N pending entries.
make_db() { "$STORE_BENCH" make-db "$1" "$2" "$CODE_FILE" >/dev/null; }

# The body wrk posts: what the client sends for entry e0000000.
python3 - "$CODE_FILE" >"$work/body.json" <<'EOF'
import json, sys
code = open(sys.argv[1]).read()
print(json.dumps({"prompt": "Translate this Cython code to equivalent pure Python.benchmark entry",
                  "target_languages": ["python"], "source_language": "cython",
                  "source_code": "# bench entry 0\n" + code,
                  "metadata": {"source_id": "e0000000", "batch_id": "b-bench", "attempt": 1,
                               "submission": 0}}))
EOF

# run_client NAME DB N CONCURRENCY [ENV=VALUE...]: `process` under /usr/bin/time
# against SERVER_URL; sets the CS_* figures (lib.sh) plus CPU_S, CPU_PCT, RSS_KB.
run_client() {
  local name=$1 db=$2 n=$3 conc=$4
  shift 4
  # The settings a user runs: defaults plus --max-concurrent and --rpm.
  bench_locked env CNAKE_API_BASE_URL="$SERVER_URL" "$@" \
    /usr/bin/time -v -o "$out/$name.time" "$CLIENT_BIN" process --db-path "$db" \
    --batch-size "$n" --max-concurrent "$conc" --rpm 1000000 --progress none \
    >"$out/$name.out" 2>"$out/$name.err"
  client_summary "$out/$name.out" || { echo "run.sh: $name: no summary" >&2; cat "$out/$name.err" >&2; return 1; }
  [[ "$CS_ENTRIES" == "$n" ]] || { echo "run.sh: $name: $CS_ENTRIES of $n completed" >&2; return 1; }
  CPU_S=$(awk '/User time|System time/ {s += $NF} END {print s}' "$out/$name.time")
  CPU_PCT=$(field "$out/$name.time" "Percent of CPU this job got" | tr -d '%')
  RSS_KB=$(field "$out/$name.time" "Maximum resident set size (kbytes)")
}

# run_wrk NAME STATUS_PER_JOB: the same mix from wrk; sets WRK_RPS.
run_wrk() {
  local name=$1 status_per_job=$2
  BODY_FILE="$work/body.json" STATUS_PER_JOB="$status_per_job" BASE_PATH="/api" \
    bench_locked wrk -t1 -c"$CEILING_CONCURRENCY" -d"$WRK_DURATION" -s "$here/mix.lua" \
    "${SERVER_URL%/api}" >"$out/$name.wrk" 2>&1
  WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out/$name.wrk")
  [[ -n "$WRK_RPS" ]] || { echo "run.sh: wrk failed:" >&2; cat "$out/$name.wrk" >&2; return 1; }
}

# ---- 1 and 6: client vs wrk ceiling, CPU cost -------------------------------
ceiling() {
  local mode=$1
  make_db "$work/ceiling-$mode.duckdb" "$CEILING_ENTRIES"
  start_server "$work" "ceiling-$mode" --threads 512 --delay fixed:0ms --capacity 1024 --mode "$mode"
  run_client "ceiling-$mode" "$work/ceiling-$mode.duckdb" "$CEILING_ENTRIES" "$CEILING_CONCURRENCY"
  local client_rps per_job status_per_job wrk_eps
  client_rps=$(ratio "$CS_REQUESTS" "$CS_SECONDS" 0)
  per_job=$(ratio "$CS_REQUESTS" "$CS_ENTRIES" 3)
  status_per_job=$(ratio "$CS_STATUS" "$CS_ENTRIES" 3)
  [[ "$mode" == sync ]] && status_per_job=0
  run_wrk "ceiling-$mode" "$status_per_job"
  wrk_eps=$(ratio "$WRK_RPS" "$per_job" 0)
  stop_servers
  fig "${mode}_client_requests_per_s" "$client_rps"
  fig "${mode}_client_entries_per_s" "$CS_EPS"
  fig "${mode}_requests_per_entry" "$per_job"
  fig "${mode}_wrk_requests_per_s" "$WRK_RPS"
  fig "${mode}_wrk_entries_per_s" "$wrk_eps"
  fig "${mode}_ceiling_ratio" "$(ratio "$client_rps" "$WRK_RPS")"
  fig "${mode}_client_cpu_s_per_1000" "$(calc 3 "$CPU_S * 1000 / $CS_ENTRIES")"
  fig "${mode}_client_cpu_pct" "$CPU_PCT"
  local r
  r=$(ratio "$client_rps" "$WRK_RPS")
  row "$mode: client requests/s ÷ wrk requests/s ($CEILING_ENTRIES entries, $CEILING_CONCURRENCY conc.)" \
    "$client_rps ÷ $WRK_RPS = **$r**" "≥ 0.7 ($(met "$r" 0.7 ">="))"
  row "$mode: entries/s client (wrk equivalent)" "$CS_EPS ($wrk_eps)" ""
  row "$mode: client CPU s per 1,000 entries (CPU use)" \
    "$(calc 3 "$CPU_S * 1000 / $CS_ENTRIES") ($CPU_PCT% of one core)" \
    "≤ 100% to saturate ($(met "$CPU_PCT" 100 "<="))"
}

# ---- 2: latency hiding --------------------------------------------------------
# Async mode needs at least three requests per entry (POST, status, results),
# so on this machine it is bound by the server's request ceiling as much as by
# the delay; sync mode (one request per entry) shows the client's latency
# hiding alone. Both are reported; keys without a mode prefix are async.
latency() {
  local mode prefix ideal r
  ideal=$(calc 1 "$LATENCY_CONCURRENCY * 1000 / $LATENCY_DELAY_MS")
  for mode in async sync; do
    prefix=latency
    [[ $mode == sync ]] && prefix=latency_sync
    make_db "$work/$prefix.duckdb" "$LATENCY_ENTRIES"
    start_server "$work" "$prefix" --threads 512 --delay "fixed:${LATENCY_DELAY_MS}ms" \
      --capacity "$LATENCY_CONCURRENCY" --mode "$mode"
    run_client "$prefix" "$work/$prefix.duckdb" "$LATENCY_ENTRIES" "$LATENCY_CONCURRENCY"
    stop_servers
    r=$(ratio "$CS_EPS" "$ideal")
    fig "${prefix}_entries_per_s" "$CS_EPS"
    fig "${prefix}_ideal_entries_per_s" "$ideal"
    fig "${prefix}_ratio" "$r"
    fig "${prefix}_requests_per_entry" "$(ratio "$CS_REQUESTS" "$CS_ENTRIES" 2)"
    row "latency hiding, $mode: entries/s ÷ ($LATENCY_CONCURRENCY / ${LATENCY_DELAY_MS} ms), $LATENCY_ENTRIES entries" \
      "$CS_EPS ÷ $ideal = **$r** ($(ratio "$CS_REQUESTS" "$CS_ENTRIES" 2) requests/entry)" \
      "≥ 0.97 ($(met "$r" 0.97 ">="))"
  done
}

# ---- 3: rate accuracy -------------------------------------------------------
rate() {
  local n=$((RATE_RPM * RATE_SECONDS / 60))
  make_db "$work/rate.duckdb" "$n"
  start_server "$work" rate --threads 512 --delay fixed:0ms --capacity 1024 \
    --request-log "$work/rate.log"
  bench_locked bash -c '
    env CNAKE_API_BASE_URL="$1" "$3" process --db-path "$4" --batch-size "$5" \
      --max-concurrent 64 --rpm "$6" --progress none >"$7.out" 2>"$7.err" &
    pid=$!
    sleep "$8"
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" || true' rate "$SERVER_URL" "$RATE_BURST" "$CLIENT_BIN" "$work/rate.duckdb" "$n" \
    "$RATE_RPM" "$out/rate" "$((RATE_SECONDS + 2))"
  stop_servers
  python3 - "$work/rate.log" "$RATE_RPM" "$RATE_SECONDS" "$RATE_BURST" >"$out/rate.figures" <<'EOF'
import json, sys
log, rpm, seconds, burst = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
t = sorted(json.loads(line)["mono_ms"] for line in open(log))
start = t[0]
in_window = sum(1 for x in t if x < start + seconds * 1000)
per_s = rpm / 60
worst, j = 0, 0
for i in range(len(t)):  # the busiest [t_i, t_i + 1 s) window
    while j < len(t) and t[j] < t[i] + 1000:
        j += 1
    worst = max(worst, j - i)
print(f"rate_requests_in_window: {in_window}")
print(f"rate_expected: {per_s * seconds:.0f}")
print(f"rate_error_pct: {100 * (in_window / (per_s * seconds) - 1):.2f}")
print(f"rate_max_1s_window: {worst}")
print(f"rate_max_1s_allowed: {per_s + burst:.0f}")
EOF
  cat "$out/rate.figures" | tee -a "$figures"
  local err worst allowed
  err=$(field "$out/rate.figures" rate_error_pct)
  worst=$(field "$out/rate.figures" rate_max_1s_window)
  allowed=$(field "$out/rate.figures" rate_max_1s_allowed)
  row "rate: requests in ${RATE_SECONDS} s at $RATE_RPM/min vs limit" \
    "$(field "$out/rate.figures" rate_requests_in_window) vs $(field "$out/rate.figures" rate_expected) (**${err}%**)" \
    "within 1% ($(met "${err#-}" 1 "<="))"
  row "rate: busiest 1-second window (limit + burst)" "$worst ($allowed)" \
    "≤ $allowed ($(met "$worst" "$allowed" "<="))"
}

# ---- 4: memory ---------------------------------------------------------------
memory() {
  local first_kb="" last_kb="" n
  for n in $MEMORY_SIZES; do
    make_db "$work/memory-$n.duckdb" "$n"
    start_server "$work" "memory-$n" --threads 512 --delay fixed:0ms --capacity 1024 \
      --mode sync --retention 60
    run_client "memory-$n" "$work/memory-$n.duckdb" "$n" "$CEILING_CONCURRENCY"
    stop_servers
    local bytes
    bytes=$("$STORE_BENCH" bare "$work/memory-$n.duckdb" \
      "SELECT CAST(sum(strlen(code) + strlen(CAST(metadata AS VARCHAR))) AS VARCHAR) FROM python_entries" |
      sed -n 's/^value: //p')
    rm -f "$work/memory-$n.duckdb" "$work/memory-$n.duckdb.wal"
    fig "memory_${n}_peak_rss_kb" "$RSS_KB"
    fig "memory_${n}_result_bytes" "$bytes"
    fig "memory_${n}_entries_per_s" "$CS_EPS"
    row "memory: peak RSS at $n entries (result data; RSS ÷ data)" \
      "$((RSS_KB / 1024)) MiB ($((bytes / 1048576)) MiB; $(calc 2 "$RSS_KB * 1024 / $bytes"))" ""
    [[ -z "$first_kb" ]] && first_kb=$RSS_KB
    last_kb=$RSS_KB
  done
  local growth=$(((last_kb - first_kb) / 1024))
  fig memory_growth_mib "$growth"
  row "memory: growth from $(echo "$MEMORY_SIZES" | awk '{print $1}') to $(echo "$MEMORY_SIZES" | awk '{print $NF}') entries" \
    "**$growth MiB**" "< 20 MiB ($(met "$growth" 20 "<"))"
}

# ---- 5: store ---------------------------------------------------------------
store() {
  bench_locked "$STORE_BENCH" writer "$WRITER_ENTRIES" "$WRITER_ROWS" "$WRITER_GROUP" "$CODE_FILE" \
    >"$out/writer.figures"
  tee -a "$figures" <"$out/writer.figures"
  local wr sr
  wr=$(field "$out/writer.figures" writer_ratio)
  sr=$(field "$out/writer.figures" session_writer_ratio)
  # The engine's writer is a work session's Commit; CommitGroup (commit and
  # fold per group) is what tools and tests use.
  row "store: results/s through the engine's writer (WorkSession::Commit) ÷ bare appender ($WRITER_ROWS rows, groups of $WRITER_GROUP, $WRITER_ENTRIES entries)" \
    "$(field "$out/writer.figures" session_rows_per_s) ÷ $(field "$out/writer.figures" bare_appender_rows_per_s) = **$sr**" \
    "≥ 0.8 ($(met "$sr" 0.8 ">="))"
  # The bare appender writes results only; the engine must also make each
  # entry's new state durable in the same commit (its journal row).
  row "store: results/s through the engine's writer ÷ bare appender of results and journal rows" \
    "$(field "$out/writer.figures" session_rows_per_s) ÷ $(field "$out/writer.figures" bare_journal_rows_per_s) = $(field "$out/writer.figures" session_vs_bare_journal_ratio)" ""
  row "store: results/s through CommitGroup (fold per group) ÷ bare appender" \
    "$(field "$out/writer.figures" commit_group_rows_per_s) ÷ $(field "$out/writer.figures" bare_appender_rows_per_s) = $wr" ""
  # Both commit paths side by side (src/engine/entry_changes.h): a hash join
  # per statement left DuckDB buffer handles behind on every commit.
  row "store: heap growth over the writer run, literal ids vs joins" \
    "$(field "$out/writer.figures" commit_heap_growth_mb_literal) MB vs $(field "$out/writer.figures" commit_heap_growth_mb_join) MB" \
    "literal ≤ join ($(met "$(field "$out/writer.figures" commit_heap_growth_mb_literal)" "$(field "$out/writer.figures" commit_heap_growth_mb_join)" "<="))"

  local db="$work/queries.duckdb" batch
  batch=$("$STORE_BENCH" make-db "$db" "$STORE_QUERY_ENTRIES" "$CODE_FILE" --processed | sed -n 's/^batch: //p')
  bench_locked "$STORE_BENCH" queries "$db" "$batch" 5 >"$out/queries.figures"
  tee -a "$figures" <"$out/queries.figures"
  # The CLI's wall time (process start, open, schema check, queries, output)
  # against opening the file and running the query it needs, best of 5.
  local entries_sql="SELECT processing_status, count(*) FROM cython_entries GROUP BY ALL"
  local batch_sql="SELECT processing_status, count(*) FROM cython_entries WHERE batch_id = '$batch' GROUP BY ALL"
  best() {  # best CMD...: the smallest wall time of 5 runs, in seconds (1 ms resolution)
    local b=999999999999999 t0 t1
    for _ in 1 2 3 4 5; do
      t0=$(date +%s%N)
      "$@" >/dev/null 2>&1 || { echo "run.sh: failed: $*" >&2; return 1; }
      t1=$(date +%s%N)
      b=$(( t1 - t0 < b ? t1 - t0 : b ))
    done
    awk -v ns="$b" 'BEGIN { printf "%.3f\n", ns / 1e9 }'
  }
  # Everything `status --batch-id` prints, as bare SQL: the counts, the batch
  # row, the latency quantiles (quantile_cont, which the client avoids for
  # its memory: docs/reliability.md, promise 6), tokens and recent errors.
  local status_all_sql=(
    "$batch_sql"
    "SELECT * FROM batch_jobs WHERE id = '$batch'"
    "SELECT count(latency_ms), avg(latency_ms), max(latency_ms), quantile_cont(latency_ms, [0.5, 0.9, 0.99]), sum(prompt_tokens), sum(completion_tokens) FROM api_requests WHERE batch_id = '$batch'"
    "SELECT entry_id, error_type, error_message FROM processing_errors WHERE batch_id = '$batch' ORDER BY occurred_at DESC LIMIT 5")
  local cli_stats bare_stats cli_status bare_status bare_status_all
  cli_stats=$(bench_locked bash -c "$(declare -f best); best \"\$@\"" best "$CLIENT_BIN" stats --db-path "$db")
  bare_stats=$(bench_locked bash -c "$(declare -f best); best \"\$@\"" best "$STORE_BENCH" bare "$db" "$entries_sql")
  cli_status=$(bench_locked bash -c "$(declare -f best); best \"\$@\"" best "$CLIENT_BIN" status --batch-id "$batch" --db-path "$db")
  bare_status=$(bench_locked bash -c "$(declare -f best); best \"\$@\"" best "$STORE_BENCH" bare "$db" "$batch_sql")
  bare_status_all=$(bench_locked bash -c "$(declare -f best); best \"\$@\"" best "$STORE_BENCH" bare "$db" "${status_all_sql[@]}")
  fig cli_stats_s "$cli_stats"
  fig bare_stats_s "$bare_stats"
  fig cli_status_s "$cli_status"
  fig bare_status_s "$bare_status"
  fig bare_status_all_s "$bare_status_all"
  local rs rt
  rs=$(ratio "$cli_stats" "$bare_stats" 2)
  rt=$(ratio "$cli_status" "$bare_status" 2)
  row "store: \`stats\` wall time ÷ open + bare query ($STORE_QUERY_ENTRIES entries)" \
    "$cli_stats s ÷ $bare_stats s = **$rs×**" "≤ 1.5× ($(met "$rs" 1.5 "<="))"
  row "store: \`status --batch-id\` wall time ÷ open + bare query" \
    "$cli_status s ÷ $bare_status s = **$rt×**" "≤ 1.5× ($(met "$rt" 1.5 "<="))"
  local ra
  ra=$(ratio "$cli_status" "$bare_status_all" 2)
  row "store: \`status --batch-id\` wall time ÷ open + bare SQL of everything it prints" \
    "$cli_status s ÷ $bare_status_all s = $ra×" ""
  row "store: in-process GetStatistics ÷ bare query; CountBatch ÷ bare" \
    "$(ratio "$(field "$out/queries.figures" stats_s)" "$(field "$out/queries.figures" bare_stats_s)" 2)×; $(ratio "$(field "$out/queries.figures" count_batch_s)" "$(field "$out/queries.figures" bare_count_batch_s)" 2)×" ""
}

for section in $BENCH_SECTIONS; do
  echo "== $section ==" >&2
  case "$section" in
    node) BENCH_OUT="$out" "$here/vs_node.sh" "$build_dir" ;;
    ceiling) ceiling async; ceiling sync ;;
    latency) latency ;;
    rate) rate ;;
    memory) memory ;;
    store) store ;;
    *) echo "run.sh: unknown section $section" >&2; exit 2 ;;
  esac
done
echo "== summary ($summary) ==" >&2
cat "$summary"
