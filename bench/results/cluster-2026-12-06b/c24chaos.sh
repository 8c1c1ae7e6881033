#!/usr/bin/env bash
cd /tmp/c24run
echo "== $(date -u +%FT%TZ) chaos start ($(git log --oneline -1 | cut -c1-60)); loadavg $(cat /proc/loadavg)"
cluster/chaos "${1:-20}" 2>&1 | grep -E 'chaos:|Tests run:|FAIL|BUILD|ERROR\]  ' 
echo "== $(date -u +%FT%TZ) chaos done; loadavg $(cat /proc/loadavg)"
