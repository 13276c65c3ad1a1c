#!/bin/bash
# scripts/disk_full_repro.sh BUILD_DIR N WORKDIR
#
# The scenario of LocalInputTest.DiskFullDuringARunStopsItResumably, N times:
# 200 entries of ~6 KB on a 4 MB tmpfs, `process` until the disk is full, then
# `resume` on a copy on a disk with room, then a count of completed entries
# without a result row (docs/reliability.md, promise 12: DuckDB replays a WAL
# write that failed with ENOSPC garbled). Needs root (mount) and
# BUILD_DIR/bench/store_bench beside the client and server. Failed runs keep
# their files in WORKDIR/failK (pre.duckdb: the copy before the resume).
set -u
bin=$1; n=$2; w=$3
mkdir -p $w
python3 - "$w" <<'P'
import sys
with open(sys.argv[1]+'/entries.jsonl','w') as f:
    for i in range(200):
        f.write('{"id": "e-%d", "code": "# %s\\ncdef int x = %d\\n"}\n' % (1000+i, chr(97+i%26)*6000, i))
P
export ASAN_OPTIONS=detect_leaks=0 CNAKE_API_KEY=k CNAKE_PROCESSING_POLL_INTERVAL=0.05 CNAKE_PROCESSING_MAX_POLL_INTERVAL=0.2 CNAKE_API_RETRY_DELAY=0.02 CNAKE_API_MAX_RETRY_DELAY=0.2 CNAKE_API_TIMEOUT=5 CNAKE_PROCESSING_SHUTDOWN_GRACE=1 CNAKE_PROCESSING_RATE_LIMIT_BURST=50 CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE=60000
B=$bin/bench/store_bench
for i in $(seq 1 $n); do
  umount $w/tiny 2>/dev/null; mkdir -p $w/tiny; mount -t tmpfs -o size=4m tmpfs $w/tiny
  $bin/cnake-charmer-client import $w/entries.jsonl --db-path $w/tiny/data.duckdb --base-url http://127.0.0.1:9 >/dev/null 2>&1
  $bin/cnake-charmer-server --port 0 --delay fixed:10ms --capacity 8 > $w/server.out 2>&1 &
  sp=$!; sleep 0.5
  url=$(grep -o 'http://127.0.0.1:[0-9]*/api' $w/server.out | head -1)
  $bin/cnake-charmer-client process --batch-size 200 --db-path $w/tiny/data.duckdb --base-url $url --log-file '' > $w/out 2> $w/err
  rc=$?
  rm -f $w/c.duckdb $w/c.duckdb.wal; cp $w/tiny/data.duckdb $w/c.duckdb; [ -f $w/tiny/data.duckdb.wal ] && cp $w/tiny/data.duckdb.wal $w/c.duckdb.wal
  cp $w/c.duckdb $w/pre.duckdb; [ -f $w/c.duckdb.wal ] && cp $w/c.duckdb.wal $w/pre.duckdb.wal
  st=$($B bare $w/c.duckdb "SELECT status FROM batch_jobs" 2>&1 | sed -n 's/^value: //p')
  batch=$($B bare $w/c.duckdb "SELECT id FROM batch_jobs" 2>&1 | sed -n 's/^value: //p')
  $bin/cnake-charmer-client resume --batch-id $batch --db-path $w/c.duckdb --base-url $url --log-file '' > $w/rout 2> $w/rerr
  rrc=$?
  kill $sp; wait $sp 2>/dev/null
  lost=$($B bare $w/c.duckdb "SELECT CAST(count(*) AS VARCHAR) FROM cython_entries e LEFT JOIN python_entries p ON p.cython_id = e.id WHERE e.processing_status = 'completed' AND p.id IS NULL" 2>&1 | sed -n 's/^value: //p')
  echo "run $i rc=$rc status=$st resume=$rrc lost=$lost"
  # A run that writes nothing after the failed commit leaves the batch recorded running.
  if [ "$lost" != "0" ] || { [ "$st" != "interrupted" ] && [ "$st" != "running" ]; }; then mkdir -p $w/fail$i; cp $w/err $w/rerr $w/pre.duckdb* $w/c.duckdb* $w/fail$i/ 2>/dev/null; fi
  umount $w/tiny
done
