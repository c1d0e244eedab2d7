#!/bin/bash
# A/B of the knee rule's KNEE_GAIN (exec/AdaptiveConcurrency): g125 = this checkout (1.25), g150 =
# GAIN_CHECKOUT, the same commit with KNEE_GAIN = 1.5 and its jar built; a fresh agent per side and
# round, 2 agent runs and 2 prunes each (rotated), ceiling 8 (the default), interleaved, same private
# daemon; RAW_OUT for pool-probes.py DIR kneegain g125 g150.
set -e
OUT=${OUT:-$PWD}
HERE=${CHECKOUT:-/work/main}
GAIN=${GAIN_CHECKOUT:?set GAIN_CHECKOUT to a checkout with KNEE_GAIN = 1.5}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q11}/docker.sock
for i in ${ROUNDS:-1 2 3 4 5 6}; do
  for side in g125 g150; do
    dir=$HERE; [ $side = g150 ] && dir=$GAIN
    BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="agent prune" RAW_OUT="$OUT/kneegain-$side$i.json" \
      python3 "$HERE/bench/agent/deletion.py" "$SOCK" "$dir/bin/docker-cleaner" 100 2 8 > "$OUT/kneegain-$side$i.txt" 2>&1
  done
done
