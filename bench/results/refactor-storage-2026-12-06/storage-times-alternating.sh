#!/usr/bin/env bash
# StorageTimes (this folder) alternating the round4-base build and this branch's build, one JVM per run.
# Usage: storage-times-alternating.sh PAIRS N ROUNDS > storage-times-raw.txt
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FLAGS=$(cat "$HERE/flags.txt")
OLD=/work/wt/base/bench/target/benchmarks.jar
NEW=/work/wt/storage21/bench/target/benchmarks.jar
for v in old new; do
  jar=$OLD; [ $v = new ] && jar=$NEW
  mkdir -p /tmp/st-$v && javac -nowarn -cp "$jar" -d /tmp/st-$v "$HERE/StorageTimes.java"
done
STORE=$(mktemp -d)/store
java $FLAGS -Xmx3g -cp /tmp/st-new:$NEW StorageTimes fill "$STORE" "$2" 2>&1 | grep -v SLF4J || true
for pair in $(seq 1 "$1"); do
  for which in old new; do
    jar=$OLD; [ "$which" = new ] && jar=$NEW
    echo "=== pair $pair $which snapshot loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    java $FLAGS -Xms3g -Xmx3g -cp /tmp/st-$which:$jar StorageTimes snapshot "$2" "$3" 2>&1 | grep -v SLF4J
  done
  for which in old new; do
    jar=$OLD; [ "$which" = new ] && jar=$NEW
    echo "=== pair $pair $which open loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    java $FLAGS -Xms3g -Xmx3g -cp /tmp/st-$which:$jar StorageTimes open "$STORE" "$2" "$3" 2>&1 | grep -v SLF4J
  done
done
rm -rf "$(dirname "$STORE")"
