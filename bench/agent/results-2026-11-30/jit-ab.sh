#!/bin/bash
# A/B of the agent launcher's JIT thresholds: new = bin/docker-cleaner agent as shipped
# (-XX:CompileThresholdScaling=0.1), old = the same with the default thresholds restored through
# DOCKER_CLEANER_JAVA_OPTS (the later flag wins); same jar, same private daemon, interleaved,
# DELETE_CONCURRENCY 8 (the default); driver = deletion.py (agent at LOG_LEVEL=INFO).
set -e
OUT=${OUT:-$PWD}
HERE=${CHECKOUT:-/work/main}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q10}/docker.sock
for i in ${ROUNDS:-1 2 3}; do
  for side in new old; do
    opts=; [ $side = old ] && opts=-XX:CompileThresholdScaling=1
    methods=agent; [ $i = 1 ] && [ $side = new ] && methods="agent prune"
    DOCKER_CLEANER_JAVA_OPTS="$opts" BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="$methods" \
      python3 "$HERE/bench/agent/deletion.py" "$SOCK" "$HERE/bin/docker-cleaner" 100 ${REPS:-4} ${CEILING:-8} > "$OUT/jit-$side$i.txt" 2>&1
  done
done
