#!/usr/bin/env bash
# prof.sh BUILD(base|start|<dir>) OUT ARGS... : HotTimes under async-profiler (cpu, 100us), collapsed stacks
set -euo pipefail
b=$1; out=$2; shift 2
case $b in
  base) j=/work/wt/base/bench/target/benchmarks.jar; cp=/work/scratch/hot21/ht-base;;
  pre22) j=/work/wt/pre22-hot/bench/target/benchmarks.jar; cp=/work/scratch/hot21/ht-pre22;;
  after21) j=/work/wt/after21/bench/target/benchmarks.jar; cp=/work/scratch/hot21/ht-after21;;
  *) j=/work/scratch/hot21/$b/bench/target/benchmarks.jar; cp=/work/scratch/hot21/ht-$b;;
esac
FLAGS=$(cat /work/wt/core21/bench/results/refactor-core-2026-12-06/flags.txt)
java $FLAGS -Xmx6g -XX:+UseParallelGC -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
  -agentpath:/tmp/ap/linux-x64/libasyncProfiler.so=start,${PEV:-event=cpu,interval=100us},file=$out,collapsed \
  -cp $cp:$j HotTimes "$@" 2>&1 | grep -v SLF4J
