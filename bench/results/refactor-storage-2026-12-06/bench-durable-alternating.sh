#!/usr/bin/env bash
# ./ipam bench --durable --quick, alternating the round4-base build and this branch's build (their ipam.jar,
# the launcher's flags). Usage: bench-durable-alternating.sh PAIRS > bench-durable-raw.txt
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/storage21}
. "$HERE/../alternate.sh"
bench() { run_java -jar "$ipam_jar" bench --durable --quick --results "$(mktemp -d)/r"; }
alternate "$1" "" bench
