#!/usr/bin/env bash
# ./ipam bench --durable --quick, alternating the round4-base build and this branch's build (their ipam.jar,
# the launcher's flags). Usage: bench-durable-alternating.sh PAIRS > bench-durable-raw.txt
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FLAGS=$(cat "$HERE/flags.txt")
for pair in $(seq 1 "$1"); do
  for which in old new; do
    jar=/work/wt/base/tools/target/ipam.jar; [ "$which" = new ] && jar=/work/wt/storage21/tools/target/ipam.jar
    echo "=== pair $pair $which loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    java $FLAGS -jar "$jar" bench --durable --quick --results "$(mktemp -d)/r" 2>&1 | grep -v SLF4J
  done
done
