#!/usr/bin/env bash
# StorageTimes pairs (durable allocate+release, thread CPU time) alternating the round4-base build and this
# branch's build. Usage: pairs-alternating.sh PAIRS K ROUNDS > pairs-raw.txt
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FLAGS=$(cat "$HERE/flags.txt")
OLD=/work/wt/base/bench/target/benchmarks.jar
NEW=/work/wt/storage21/bench/target/benchmarks.jar
for v in old new; do
  jar=$OLD; [ $v = new ] && jar=$NEW
  mkdir -p /tmp/st-$v && javac -nowarn -cp "$jar" -d /tmp/st-$v "$HERE/StorageTimes.java"
done
for pair in $(seq 1 "$1"); do
  for which in old new; do
    jar=$OLD; [ "$which" = new ] && jar=$NEW
    echo "=== pair $pair $which pairs loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    java $FLAGS -Xmx1g -cp /tmp/st-$which:$jar StorageTimes pairs "$2" "$3" 2>&1 | grep -v SLF4J
  done
done
