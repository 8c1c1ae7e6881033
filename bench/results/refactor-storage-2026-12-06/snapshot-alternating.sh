#!/usr/bin/env bash
# SnapshotRun alternating the round4-base build (/work/wt/base) and this branch's build, same JVM flags.
# Usage: snapshot-alternating.sh N PAIRS > snapshot-raw.txt
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FLAGS=$(cat "$HERE/flags.txt")
OLD=/work/wt/base/bench/target/benchmarks.jar
NEW=/work/wt/storage21/bench/target/benchmarks.jar
for pair in $(seq 1 "$2"); do
  for which in old new; do
    jar=$OLD; [ "$which" = new ] && jar=$NEW
    echo "=== pair $pair $which loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    java $FLAGS -Xms3g -Xmx3g -cp "$jar" io.ipam.bench.SnapshotRun "$1" 2>&1 | grep -v SLF4J
  done
done
