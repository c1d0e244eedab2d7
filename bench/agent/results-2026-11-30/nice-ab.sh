#!/bin/bash
# A/B of the agent at normal CPU priority against the same agent under `nice -n 10` (launcher
# wrapped), same jar, same private daemon, interleaved; driver = deletion.py (agent at LOG_LEVEL=INFO).
set -e
OUT=${OUT:-$PWD}
HERE=${CHECKOUT:-/work/main}
SOCK=/tmp/dcd/${BENCH_DAEMON:-q10}/docker.sock
wrap=$(mktemp)
trap 'rm -f "$wrap"' EXIT
printf '#!/bin/sh\nexec nice -n %s %s "$@"\n' "${NICE:-10}" "$HERE/bin/docker-cleaner" > "$wrap"
chmod +x "$wrap"
for i in ${ROUNDS:-1 2 3}; do
  for side in plain nice; do
    launcher=$HERE/bin/docker-cleaner; [ $side = nice ] && launcher=$wrap
    methods=agent; [ $i = 1 ] && [ $side = plain ] && methods="agent prune"
    BENCH_LOG_LEVEL=INFO THREAD_CPU=1 SLOW_PROBES=1 METHODS="$methods" \
      python3 "$HERE/bench/agent/deletion.py" "$SOCK" "$launcher" 100 3 8 > "$OUT/nice-$side$i.txt" 2>&1
  done
done
