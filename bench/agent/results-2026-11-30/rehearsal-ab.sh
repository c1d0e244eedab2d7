#!/bin/bash
# A/B of the start-up rehearsal of the delete path (exec/Rehearsal): new = bin/docker-cleaner agent
# of this checkout, old = the same launcher of a checkout without the rehearsal (OLD_CHECKOUT, e.g.
# `git worktree add /tmp/old 12f1880` and `mvn -o package -DskipTests` there); a fresh agent per
# side and round, 2 runs each (the first run of a fresh agent is what the rehearsal is for);
# interleaved; same private daemon; RAW_OUT: every window's probe samples (pooled by
# pool-probes.py); DELETE_CONCURRENCY 8 (the default); driver = deletion.py.
set -e
OUT=${OUT:-$PWD}
HERE=${CHECKOUT:-/work/main}
OLD=${OLD_CHECKOUT:?set OLD_CHECKOUT to a checkout without the rehearsal}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q11}/docker.sock
for i in ${ROUNDS:-1 2 3 4 5 6}; do
  for side in new old; do
    dir=$HERE; [ $side = old ] && dir=$OLD
    BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="${METHODS:-agent}" RAW_OUT="$OUT/rehearsal-$side$i.json" \
      python3 "$HERE/bench/agent/deletion.py" "$SOCK" "$dir/bin/docker-cleaner" 100 ${REPS:-2} ${CEILING:-8} > "$OUT/rehearsal-$side$i.txt" 2>&1
  done
done
