#!/usr/bin/env bash
# A/B throughput: issue-24 code (/tmp/c24run) against the commit of the 275,597/s figure (/tmp/c24base, 4172df0),
# alternating, a fresh three-member local cluster per round, RUNS x 10 s bench per round. CUR and BASE name other
# clones (session 4: CUR=/tmp/c24run BASE=/tmp/c24base with 2842cd1 checked out in BASE).
set -uo pipefail
ROUNDS="${1:-2}"
RUNS="${2:-2}"
M=localhost:19010,localhost:19110,localhost:19210
for r in $(seq 1 "$ROUNDS"); do
  for side in base cur; do
    if [ "$side" = cur ]; then ROOT="${CUR:-/tmp/c24jar}"; else ROOT="${BASE:-/tmp/c24base}"; fi
    DIR=/tmp/c24ab-$side
    rm -rf "$DIR"
    echo "== $(date -u +%FT%TZ) round $r $side ($(git -C $ROOT log --oneline -1 | cut -c1-60)); loadavg $(cat /proc/loadavg)"
    (cd $ROOT && cluster/local-cluster start "$DIR" 19010 >/dev/null)
    sleep 8
    for i in $(seq 1 "$RUNS"); do
      echo "-- run $i; loadavg before $(cat /proc/loadavg)"
      (cd $ROOT && ./ipam bench --cluster "$M" --seconds 10)
    done
    echo "-- loadavg after $(cat /proc/loadavg)"
    (cd $ROOT && cluster/local-cluster stop "$DIR" >/dev/null)
  done
done
echo "== $(date -u +%FT%TZ) done; loadavg $(cat /proc/loadavg)"
