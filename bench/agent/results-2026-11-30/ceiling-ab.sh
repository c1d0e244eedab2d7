#!/bin/bash
# Ceilings of the agent's adaptive concurrency (DELETE_CONCURRENCY) after the JIT change and the
# start-up rehearsal: a fresh agent per ceiling and round, 2 agent runs and 2 prunes each
# (rotated), interleaved, same private daemon and jar; RAW_OUT for pool-probes.py DIR ceiling c2 c4 c8.
set -e
OUT=${OUT:-$PWD}
HERE=${CHECKOUT:-/work/main}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q11}/docker.sock
for i in ${ROUNDS:-1 2 3 4 5 6}; do
  for c in ${CEILINGS:-2 4 8}; do
    BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="agent prune" RAW_OUT="$OUT/ceiling-c$c$i.json" \
      python3 "$HERE/bench/agent/deletion.py" "$SOCK" "$HERE/bin/docker-cleaner" 100 2 $c > "$OUT/ceiling-c$c$i.txt" 2>&1
  done
done
