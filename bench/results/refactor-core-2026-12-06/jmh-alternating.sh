#!/usr/bin/env bash
# JMH HotPathBenchmark (impl=ipam, -prof gc for bytes per operation) alternating the round4-base build (old) and
# fd52784 (new), each build's own benchmarks.jar. Usage: jmh-alternating.sh PAIRS OUT_DIR
# (JSON per run in OUT_DIR: jmh-<pair>-<old|new>.json; the text goes to stdout)
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/after21}
. "$HERE/../alternate.sh"
mkdir -p "$2"
n=0
jmh()
{
  n=$((n + 1))
  run_java -jar "$jar" -foe true -jvmArgsAppend "$FLAGS" -prof gc -f 1 -wi 2 -i 3 -w 1s -r 1s \
    -p cidr=10.0.0.0/16,2001:db8::/64 -p fill=50,99 -p op=any,lowest,specific -p impl=ipam \
    -rf json -rff "$1/jmh-$(( (n + 1) / 2 ))-$which.json" HotPathBenchmark
}
alternate "$1" "" jmh "$2"
