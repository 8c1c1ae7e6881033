#!/usr/bin/env bash
# HotTimes (this folder: thread CPU time and heap bytes per operation) alternating the round4-base build (old) and
# fd52784 (new: issue 21 complete), one JVM per run and case. Usage: hot-times-alternating.sh PAIRS N ROUNDS
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/after21}
. "$HERE/../alternate.sh"
compile_helper "$HERE/HotTimes.java" ht
hot() { run_java -Xmx6g -XX:+UseParallelGC -cp "$cp" HotTimes "$@"; }
for pair in $(seq 1 "$1"); do
  for c in "10.0.0.0/16 50 any" "10.0.0.0/16 50 lowest" "10.0.0.0/16 50 specific" "10.0.0.0/8 99 any" \
           "2001:db8::/64 99 any"; do
    # shellcheck disable=SC2086
    alternate 1 "" hot hot $c "$2" "$3" | sed "s/^=== pair 1 /=== pair $pair /"
  done
  alternate 1 "" hot facade $(( $2 / 10 )) "$3" | sed "s/^=== pair 1 /=== pair $pair /"
done
