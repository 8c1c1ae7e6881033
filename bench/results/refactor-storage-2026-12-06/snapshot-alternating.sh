#!/usr/bin/env bash
# SnapshotRun alternating the round4-base build (/work/wt/base) and this branch's build, same JVM flags.
# Usage: snapshot-alternating.sh N PAIRS > snapshot-raw.txt
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/storage21}
. "$HERE/../alternate.sh"
snapshot() { run_java -Xms3g -Xmx3g -cp "$jar" io.ipam.bench.SnapshotRun "$1"; }
alternate "$2" "" snapshot "$1"
