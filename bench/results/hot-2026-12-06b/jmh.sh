#!/usr/bin/env bash
# JMH HotPathBenchmark (impl=ipam; -prof gc for bytes per operation), old and new builds alternating, one pair per
# batch under the bench lock. Each build's own benchmarks.jar. usage: NEW=<tree> jmh.sh OLD PAIRS
# -> jmh-raw.txt (text) and jmh/jmh-<pair>-<old|new>.json
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FLAGS=$(cat "$HERE/../refactor-core-2026-12-06/flags.txt")
old=$1 pairs=$2
mkdir -p "$HERE/jmh"
for p in $(seq 1 "$pairs"); do
  # shellcheck disable=SC2016
  flock /work/notes/bench.lock bash -c '
    for v in old new; do
      root=$1; [ "$v" = new ] && root=$2
      echo "=== pair $3 $v loadavg $(cut -d" " -f1-3 /proc/loadavg)"
      java $4 -jar "$root/bench/target/benchmarks.jar" -foe true -jvmArgsAppend "$4" -prof gc -f 1 -wi 2 -i 3 \
        -w 1s -r 1s -p cidr=10.0.0.0/16,2001:db8::/64 -p fill=50,99 -p op=any,lowest,specific -p impl=ipam \
        -rf json -rff "$5/jmh-$3-$v.json" HotPathBenchmark 2>&1 | grep -v SLF4J | grep -A40 "^Benchmark"
    done' _ "$old" "$NEW" "$p" "$FLAGS" "$HERE/jmh" >> "$HERE/jmh-raw.txt"
done
