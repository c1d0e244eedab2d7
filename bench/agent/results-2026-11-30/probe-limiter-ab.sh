#!/bin/bash
set -x
# A/B of the probe-watching limiter (commit 5bcf387, reverted in cd337c1): NEW_CHECKOUT has it, OLD_CHECKOUT not.
OUT=${OUT:-$PWD}
cd "${NEW_CHECKOUT:-/work/main}"
BENCH_DAEMON=abprobe SLOW_PROBES=1 bench/agent/deletion.sh 100 3 8 > "$OUT"/new1.txt 2>&1
cd "${OLD_CHECKOUT:-/work/bench-old}"
BENCH_DAEMON=abprobe SLOW_PROBES=1 METHODS=agent bench/agent/deletion.sh 100 3 8 > "$OUT"/old1.txt 2>&1
cd "${NEW_CHECKOUT:-/work/main}"
BENCH_DAEMON=abprobe SLOW_PROBES=1 METHODS=agent bench/agent/deletion.sh 100 3 8 > "$OUT"/new2.txt 2>&1
cd "${OLD_CHECKOUT:-/work/bench-old}"
BENCH_DAEMON=abprobe SLOW_PROBES=1 METHODS=agent bench/agent/deletion.sh 100 3 8 > "$OUT"/old2.txt 2>&1
echo done > "$OUT"/DONE
