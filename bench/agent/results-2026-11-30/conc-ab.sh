#!/bin/bash
# The agent's DELETE_CONCURRENCY ceiling 1 / 2 / 8 (the limiter starts at min(2, ceiling)), same
# jar, same private daemon, interleaved; driver = deletion.py (agent at LOG_LEVEL=INFO).
set -e
OUT=${OUT:-$PWD}
HERE=${CHECKOUT:-/work/main}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q10}/docker.sock
for i in ${ROUNDS:-1 2 3}; do
  for c in ${CEILINGS:-1 2 8}; do
    methods=agent; [ $i = 1 ] && [ $c = 1 ] && methods="agent prune"
    BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="$methods" \
      python3 "$HERE/bench/agent/deletion.py" "$SOCK" "$HERE/bin/docker-cleaner" 100 3 $c > "$OUT/conc-$c-$i.txt" 2>&1
  done
done
