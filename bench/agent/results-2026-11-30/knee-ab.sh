#!/bin/bash
# A/B of the knee-finding limiter and the cheaper per-item log line (this session) against the
# commit before them (OLD_CHECKOUT, its jar built), same private daemon, interleaved; the driver
# (deletion.py: end of run read from the agent's log, no API polling; agent at LOG_LEVEL=INFO) is
# this checkout's for both, only the launcher differs.
set -e
OUT=${OUT:-$PWD}
NEW=${NEW_CHECKOUT:-/work/main}
OLD=${OLD_CHECKOUT:-/tmp/abold}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q9}/docker.sock
for i in ${ROUNDS:-1 2 3}; do
  for side in new old; do
    launcher=$NEW/bin/docker-cleaner; [ $side = old ] && launcher=$OLD/bin/docker-cleaner
    methods=agent; [ $i = 1 ] && [ $side = new ] && methods="agent prune sequential"
    BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="$methods" \
      python3 "$NEW/bench/agent/deletion.py" "$SOCK" "$launcher" 100 3 8 > "$OUT/knee-$side$i.txt" 2>&1
  done
done
