#!/usr/bin/env bash
# Profile a throughput run: fresh local cluster (/tmp/c24run), bench 20 s; async-profiler 4.1 (cpu, 1 ms) attached
# with jcmd JVMTI.agent_load to the three members and the bench JVM for 10 s in the middle of the run.
set -uo pipefail
ROOT=/tmp/c24jar
OUT="${1:-/tmp/c24out/profile}"
LIB=/tmp/ap/linux-x64/libasyncProfiler.so
mkdir -p "$OUT"
M=localhost:19010,localhost:19110,localhost:19210
DIR=/tmp/c24prof-data
rm -rf "$DIR"
echo "== $(date -u +%FT%TZ) start; loadavg $(cat /proc/loadavg)"
(cd $ROOT && cluster/local-cluster start "$DIR" 19010 >/dev/null)
sleep 8
(cd $ROOT && ./ipam bench --cluster "$M" --seconds 20) > "$OUT/bench.txt" 2>&1 &
BENCH=$!
sleep 8
# the launcher script execs java, so the pid file's pid is the JVM
PIDS="$(cat $DIR/node-0.pid) $(cat $DIR/node-1.pid) $(cat $DIR/node-2.pid)"
BPID=$(pgrep -f "ipam.jar bench --cluster $M" | head -1)
echo "members $PIDS bench $BPID; loadavg $(cat /proc/loadavg)"
for p in $PIDS $BPID; do jcmd "$p" JVMTI.agent_load "$LIB" "start,event=cpu,interval=1ms" >/dev/null 2>&1 || echo "attach $p failed"; done
sleep 10
i=0
for p in $PIDS; do jcmd "$p" JVMTI.agent_load "$LIB" "stop,file=$OUT/member-$i.collapsed,collapsed" >/dev/null 2>&1; i=$((i+1)); done
jcmd "$BPID" JVMTI.agent_load "$LIB" "stop,file=$OUT/bench-client.collapsed,collapsed" >/dev/null 2>&1
wait $BENCH
cat "$OUT/bench.txt"
for id in 0 1 2; do grep -h -i 'leader\|role' $DIR/node-$id.log | tail -2; done
(cd $ROOT && cluster/local-cluster stop "$DIR" >/dev/null)
echo "== $(date -u +%FT%TZ) done; loadavg $(cat /proc/loadavg)"
