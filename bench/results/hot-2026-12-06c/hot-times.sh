#!/usr/bin/env bash
# Thread CPU time and heap bytes per hot-path operation, old and new builds alternating (one JVM per run and case),
# each batch under the bench lock (released between batches so others get a turn). Uses HotTimes.java and
# hot-times-alternating.sh of ../refactor-core-2026-12-06 (6 cases: /16 any, lowest, specific; /8 at 99%;
# 2001:db8::/64 at 99%; the facade's one-caller pair).
#   NEW   the build measured (a tree with bench/target/benchmarks.jar)
#   usage: hot-times.sh LABEL OLD PAIRS  -> hot-times-LABEL-raw.txt (batches of one pair each)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
label=$1 old=$2 pairs=$3
out="$HERE/hot-times-$label-raw.txt"
for p in $(seq 1 "$pairs"); do
  flock /work/notes/bench.lock env OLD="$old" NEW="$NEW" "$HERE/../refactor-core-2026-12-06/hot-times-alternating.sh" \
    1 1000000 9 | sed "s/^=== pair 1 /=== pair $p /" >> "$out"
done
