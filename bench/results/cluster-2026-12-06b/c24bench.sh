#!/usr/bin/env bash
# one locked throughput measurement: fresh local cluster, RUNS x 10 s bench, stop
set -uo pipefail
cd /tmp/c24run
RUNS="${1:-3}"
DIR=/tmp/c24bench-data
rm -rf "$DIR"
M=localhost:19010,localhost:19110,localhost:19210
echo "== $(date -u +%FT%TZ) start; loadavg $(cat /proc/loadavg)"
cluster/local-cluster start "$DIR" 19010
sleep 8
for i in $(seq 1 "$RUNS"); do
  echo "== $(date -u +%FT%TZ) run $i; loadavg before $(cat /proc/loadavg)"
  ./ipam bench --cluster "$M" --seconds 10
  echo "== loadavg after $(cat /proc/loadavg)"
done
cluster/local-cluster stop "$DIR"
echo "== $(date -u +%FT%TZ) done; loadavg $(cat /proc/loadavg)"
