#!/usr/bin/env bash
# StorageTimes (this folder) alternating the round4-base build and this branch's build, one JVM per run.
# Usage: storage-times-alternating.sh PAIRS N ROUNDS > storage-times-raw.txt
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/storage21}
. "$HERE/../alternate.sh"
compile_helper "$HERE/StorageTimes.java" st
STORE=$(mktemp -d)/store
build new
run_java -Xmx3g -cp "$cp" StorageTimes fill "$STORE" "$2" || true
times() { run_java -Xms3g -Xmx3g -cp "$cp" StorageTimes "$@"; }
for pair in $(seq 1 "$1"); do
  alternate 1 snapshot times snapshot "$2" "$3" | sed "s/^=== pair 1 /=== pair $pair /"
  alternate 1 open times open "$STORE" "$2" "$3" | sed "s/^=== pair 1 /=== pair $pair /"
done
rm -rf "$(dirname "$STORE")"
