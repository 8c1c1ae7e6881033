#!/usr/bin/env bash
# snap.sh NAME: copy the worktree's built jars to /work/scratch/hot21/NAME and compile HotTimes against it
set -euo pipefail
d=/work/scratch/hot21/$1; mkdir -p $d/bench/target $d/tools/target ht-$1
cp /work/wt/core21/bench/target/benchmarks.jar $d/bench/target/
[ -f /work/wt/core21/tools/target/ipam.jar ] && cp /work/wt/core21/tools/target/ipam.jar $d/tools/target/ || true
javac -nowarn -cp $d/bench/target/benchmarks.jar -d /work/scratch/hot21/ht-$1 /work/scratch/hot21/HotTimes.java
