#!/usr/bin/env bash
# StorageTimes pairs (durable allocate+release, thread CPU time) alternating the round4-base build and this
# branch's build. Usage: pairs-alternating.sh PAIRS K ROUNDS > pairs-raw.txt
HERE="$(cd "$(dirname "$0")" && pwd)"
OLD=${OLD:-/work/wt/base} NEW=${NEW:-/work/wt/storage21}
. "$HERE/../alternate.sh"
compile_helper "$HERE/StorageTimes.java" st
pairs() { run_java -Xmx1g -cp "$cp" StorageTimes pairs "$1" "$2"; }
alternate "$1" pairs pairs "$2" "$3"
