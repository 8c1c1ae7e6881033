#!/usr/bin/env bash
# ./ipam bench (the end-to-end run, default length) alternating the round4-base build (old) and fd52784 (new),
# each build's tools/target/ipam.jar with the launcher's flags. Usage: ipam-bench-alternating.sh PAIRS OUT_DIR
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/after21}
. "$HERE/../alternate.sh"
n=0
bench()
{
  n=$((n + 1))
  run_java -jar "$ipam_jar" bench --results "$1/bench-$(( (n + 1) / 2 ))-$which" | grep -av "/66 ("  # no progress bar
}
alternate "$1" "" bench "$2"
