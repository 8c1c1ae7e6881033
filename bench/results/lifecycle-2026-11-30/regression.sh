#!/usr/bin/env bash
# Hot path without options, before (7ed6481) and after issue 14, alternating, same session.
FLAGS="$(cat /tmp/flags)"
OUT=/work/main/bench/results/lifecycle-2026-11-30
for round in 1 2; do
  for side in base head; do
    if [ $side = base ]; then JAR=/work/wt-base/bench/target/benchmarks.jar; else JAR=/work/main/bench/target/benchmarks.jar; fi
    java -jar $JAR -foe true -f 1 -wi 2 -i 3 -w 1s -r 1s -p cidr=10.0.0.0/16 -p fill=50 -p op=any,lowest -p impl=ipam,bitset \
      -rf json -rff $OUT/hot-$side-$round.json 'HotPathBenchmark' -jvmArgsAppend "$FLAGS" > $OUT/hot-$side-$round.log 2>&1
    java -jar $JAR -foe true -f 1 -wi 2 -i 3 -w 1s -r 1s -p impl=ipam,bitset \
      -rf json -rff $OUT/facade-$side-$round.json 'FacadeBenchmark.callers1' -jvmArgsAppend "$FLAGS" > $OUT/facade-$side-$round.log 2>&1
  done
done
echo finished
