# Helpers shared by the bench/ scripts. Source it; it sets nothing global
# except the functions and CNAKE_BENCH_* defaults below.
#
# Every benchmark that measures speed runs under the shared build lock
# (/tmp/cnake-build.lock) so that no build or other benchmark competes for the
# two cores; set BENCH_LOCK= (empty) to run without it.

BENCH_LOCK=${BENCH_LOCK-/tmp/cnake-build.lock}

bench_locked() {  # bench_locked CMD...: run CMD holding the lock (if any)
  if [[ -n "$BENCH_LOCK" ]]; then flock "$BENCH_LOCK" "$@"; else "$@"; fi
}

# start_server WORKDIR NAME SERVER_FLAGS...: starts cnake-charmer-server,
# waits for its "listening on" line, sets SERVER_URL and appends the pid to
# BENCH_PIDS (stop_servers ends them).
BENCH_PIDS=()
start_server() {
  local dir=$1 name=$2
  shift 2
  env -u CNAKE_SERVER_API_KEY "$SERVER_BIN" --port 0 --quiet "$@" \
    >"$dir/$name.stdout" 2>"$dir/$name.stderr" &
  BENCH_PIDS+=($!)
  SERVER_URL=""
  local line
  for _ in $(seq 1 200); do
    if read -r line <"$dir/$name.stdout" 2>/dev/null && [[ "$line" == "listening on "* ]]; then
      SERVER_URL=${line#listening on }
      return 0
    fi
    sleep 0.05
  done
  echo "server $name did not start:" >&2
  cat "$dir/$name.stderr" >&2
  return 1
}

stop_servers() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  BENCH_PIDS=()
}

# install_node_client SCRIPT DEST: copies the Node client (NODE_CLIENT_DIR,
# ../shared/peers/node-client) to DEST and installs its packages there (its
# own folder may be read-only). When it cannot (node or npm missing, no
# client there, npm install failing) it prints why on stdout, prefixed with
# SCRIPT, shows npm's last lines on stderr and returns 1.
install_node_client() {
  local script=$1 dest=$2
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "$script: node or npm is not installed: the Node client is skipped"
    return 1
  fi
  if [[ ! -f "$NODE_CLIENT_DIR/client.mjs" ]]; then
    echo "$script: no Node client at $NODE_CLIENT_DIR: skipped"
    return 1
  fi
  cp -r "$NODE_CLIENT_DIR" "$dest"
  rm -rf "$dest/node_modules"
  if ! (cd "$dest" && npm install --silent --no-audit --no-fund >"$dest.npm.log" 2>&1); then
    echo "$script: npm install failed (see below): the Node client is skipped"
    tail -5 "$dest.npm.log" >&2
    return 1
  fi
}

# field FILE KEY: the value of a "key: value" line (GNU time -v, store_bench).
field() { sed -n "s/^[[:space:]]*$2:[[:space:]]*//p" "$1" | head -n1; }

# client_summary FILE: parses the client's two summary lines into
# CS_ENTRIES CS_SECONDS CS_EPS CS_REQUESTS CS_GENERATE CS_STATUS CS_RESULTS CS_FAILED
client_summary() {
  local f=$1
  read -r CS_ENTRIES CS_FAILED CS_SECONDS CS_EPS < <(sed -n \
    's/^batch [^:]*: [a-z_]* — \([0-9]*\) completed, \([0-9]*\) failed, .* in \([0-9.]*\)s (\([0-9.]*\) entries\/s)$/\1 \2 \3 \4/p' "$f")
  read -r CS_REQUESTS CS_GENERATE CS_STATUS CS_RESULTS < <(sed -n \
    's/^requests: \([0-9]*\) (generate \([0-9]*\), status \([0-9]*\), results \([0-9]*\)).*/\1 \2 \3 \4/p' "$f")
  [[ -n "${CS_ENTRIES:-}" && -n "${CS_REQUESTS:-}" ]]
}

# ratio A B [DIGITS]: A / B
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { if (b == 0) print "nan"; else printf "%.*f\n", d, a / b }'; }

# calc DIGITS EXPR: evaluates an arithmetic expression of numbers with awk.
calc() { awk "BEGIN { printf \"%.$1f\\n\", $2 }"; }
