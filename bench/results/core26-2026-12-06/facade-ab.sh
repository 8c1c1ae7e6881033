#!/usr/bin/env bash
# alternate two benchmark jars on FacadeBenchmark (impl=ipam), 1/2/4/8 callers: facade-ab.sh OUTDIR NAME_A JAR_A NAME_B JAR_B ROUNDS
OUT=$1; NA=$2; JA=$3; NB=$4; JB=$5; ROUNDS=${6:-2}
mkdir -p "$OUT"
FLAGS="--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
for r in $(seq 1 $ROUNDS); do
  for pair in "$NA:$JA" "$NB:$JB"; do
    n=${pair%%:*}; j=${pair#*:}
    echo "== round $r $n load $(cat /proc/loadavg)" >> "$OUT/log.txt"
    java -jar "$j" 'FacadeBenchmark.callers' -p impl=ipam -f 1 -wi 1 -i 3 -w 1s -r 1s -foe true -jvmArgsAppend "$FLAGS" \
      -rf json -rff "$OUT/$n-r$r.json" > "$OUT/$n-r$r.txt" 2>&1
    grep -E "^FacadeBenchmark" "$OUT/$n-r$r.txt" | sed "s/^/$n r$r /" >> "$OUT/log.txt"
  done
done
