#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: Debian's
# `postgresql` package (scripts/bootstrap.sh installs it), a fresh cluster in
# a temp directory, listening on a free loopback port only, trust auth for
# the user `cnake`, one database `cnake_test`. initdb and pg_ctl refuse to run
# as root, so as root (CI) the cluster belongs to `nobody`.
#
#   eval "$(scripts/pg_server.sh start)"   starts one; exports CNAKE_TEST_PG_URL
#                                           and CNAKE_TEST_PG_DIR
#   scripts/pg_server.sh restart           restarts it (same port, same data)
#   scripts/pg_server.sh stop              stops it and removes its directory
# restart and stop act on $CNAKE_TEST_PG_DIR. PG_FAST=0 keeps fsync on (the
# default is off: the data is thrown away anyway).
set -euo pipefail

bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    echo "pg_server: PostgreSQL server binaries not found; run scripts/bootstrap.sh" >&2
    exit 1
  fi
  echo "$dir"
}

as_owner() {  # runs a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_ctl_start() {  # pg_ctl_start <dir> <port>
  local dir="$1" port="$2" fast=""
  [ "${PG_FAST:-1}" = 1 ] && fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200 $fast" start >&2
}

start() {
  local dir port bin
  bin="$(bin_dir)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/cnake-pg-XXXXXX")"
  chmod 0755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
  port="$(free_port)"
  echo "$port" > "$dir/port"
  as_owner "$bin/initdb" -D "$dir/data" -U cnake --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  pg_ctl_start "$dir" "$port"
  "$bin/psql" -q -h 127.0.0.1 -p "$port" -U cnake -d postgres -c "CREATE DATABASE cnake_test" >&2
  echo "export CNAKE_TEST_PG_URL=postgresql://cnake@127.0.0.1:$port/cnake_test"
  echo "export CNAKE_TEST_PG_DIR=$dir"
}

require_dir() {
  if [ -z "${CNAKE_TEST_PG_DIR:-}" ] || [ ! -d "$CNAKE_TEST_PG_DIR/data" ]; then
    echo "pg_server: CNAKE_TEST_PG_DIR does not name a running test server" >&2
    exit 1
  fi
}

case "${1:-}" in
  start) start ;;
  restart)
    require_dir
    as_owner "$(bin_dir)/pg_ctl" -D "$CNAKE_TEST_PG_DIR/data" -m fast -w stop >&2
    pg_ctl_start "$CNAKE_TEST_PG_DIR" "$(cat "$CNAKE_TEST_PG_DIR/port")"
    ;;
  stop)
    require_dir
    as_owner "$(bin_dir)/pg_ctl" -D "$CNAKE_TEST_PG_DIR/data" -m immediate -w stop >&2 || true
    rm -rf "$CNAKE_TEST_PG_DIR"
    ;;
  *)
    echo "usage: scripts/pg_server.sh start|restart|stop" >&2
    exit 2
    ;;
esac
