#!/usr/bin/env bash
# ab.sh A B PAIRS N ROUNDS "case" ["case"...]: HotTimes alternating builds A and B (names as in prof.sh), one JVM per run
set -uo pipefail
A=$1; B=$2; P=$3; N=$4; R=$5; shift 5
FLAGS=$(cat /work/wt/core21/bench/results/refactor-core-2026-12-06/flags.txt)
jar() { case $1 in base) echo /work/wt/base/bench/target/benchmarks.jar;; pre22) echo /work/wt/pre22-hot/bench/target/benchmarks.jar;; after21) echo /work/wt/after21/bench/target/benchmarks.jar;; *) echo /work/scratch/hot21/$1/bench/target/benchmarks.jar;; esac; }
for p in $(seq 1 $P); do for c in "$@"; do for v in $A $B; do
  echo "=== pair $p $v loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  java $FLAGS -Xmx6g -XX:+UseParallelGC -cp /work/scratch/hot21/ht-$v:$(jar $v) HotTimes $c $N $R 2>&1 | grep -v SLF4J
done; done; done
