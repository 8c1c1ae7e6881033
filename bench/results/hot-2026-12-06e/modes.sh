#!/usr/bin/env bash
# modes.sh N CASE(cidr fill op) BUILD... ; BUILD = name:jar:htdir[:jvmflag]
FLAGS=$(cat /work/main/bench/results/refactor-core-2026-12-06/flags.txt)
n=$1; c=$2; shift 2
declare -A res
for i in $(seq 1 $n); do
  for b in "$@"; do
    IFS=: read -r name jar ht extra <<< "$b"
    v=$(java $FLAGS $extra -Xmx6g -XX:+UseParallelGC -cp $ht:$jar HotTimes hot $c 1000000 7 2>&1 | grep -v SLF4J | awk '{print $10}')
    res[$name]="${res[$name]} $v"
  done
done
for b in "$@"; do IFS=: read -r name jar ht extra <<< "$b"; echo "$name:${res[$name]}" | python3 -c "
import sys,statistics
n,v=sys.stdin.read().split(':'); v=[float(x) for x in v.split()]
print('%-14s median %6.1f  min %6.1f  sorted %s' % (n, statistics.median(v), min(v), ' '.join('%.0f'%x for x in sorted(v))))"; done
