#!/usr/bin/env bash
cd /tmp/c24run
echo "== $(date -u +%FT%TZ) rejoin start ($(git log --oneline -1 | cut -c1-60)); loadavg $(cat /proc/loadavg)"
cluster/rejoin "${1:-1000000}" 2>&1 | grep -E 'rejoin:|Tests run:|FAIL|BUILD|ERROR\]  '
echo "== $(date -u +%FT%TZ) rejoin done; loadavg $(cat /proc/loadavg)"
