#!/usr/bin/env bash
# ./ipam bench (default run: 1/2/4/8 callers, 3 trials each, then latency), old and new builds alternating, one pair
# per batch under the bench lock; each build's tools/target/ipam.jar with the launcher's flags.
# usage: NEW=<tree> ipam-bench.sh OLD PAIRS -> ipam-bench-raw.txt, ipam-bench/bench-<pair>-<old|new>/
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FLAGS=$(cat "$HERE/../refactor-core-2026-12-06/flags.txt")
old=$1 pairs=$2
mkdir -p "$HERE/ipam-bench"
for p in $(seq 1 "$pairs"); do
  # shellcheck disable=SC2016
  flock /work/notes/bench.lock bash -c '
    for v in old new; do
      root=$1; [ "$v" = new ] && root=$2
      echo "=== pair $3 $v loadavg $(cut -d" " -f1-3 /proc/loadavg)"
      java $4 -jar "$root/tools/target/ipam.jar" bench --results "$5/bench-$3-$v" 2>&1 | grep -v SLF4J | grep -av "/66 ("
    done' _ "$old" "$NEW" "$p" "$FLAGS" "$HERE/ipam-bench" >> "$HERE/ipam-bench-raw.txt"
done
