#!/usr/bin/env bash
# Idle footprint of `bin/docker-cleaner agent` (launcher flags: SerialGC, -Xmx64m, C1, CDS):
# RSS (VmRSS) and CPU (utime+stime from /proc/PID/stat) over SECONDS of idling on the private
# daemon "at", after a 10 s warm-up. Targets: RSS ≤ 64 MiB, CPU < 0.1 % of one core.
#   bench/agent/idle.sh [SECONDS]
source "$(dirname "$0")/common.sh"
secs=${1:-60}
start_daemon at
ensure_jar
state=$(mktemp -d); port=$(free_port)
DOCKER_HOST=unix://$SOCK STATE_DIR=$state HTTP_LISTEN=127.0.0.1:$port \
  "$here/bin/docker-cleaner" agent > "$state/agent.log" 2>&1 &
launcher=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
pid=$launcher   # the launcher execs java: same pid
sleep 10
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); r0=$(rss_kib); s0=$(date +%s%3N)
peak=$r0
for _ in $(seq 1 "$secs"); do
  sleep 1
  r=$(rss_kib); [ "$r" -gt "$peak" ] && peak=$r
done
t1=$(ticks); r1=$(rss_kib); s1=$(date +%s%3N)
kill -TERM "$pid"; wait "$pid" || true
rm -rf "$state"
python3 - "$t0" "$t1" "$hz" "$s0" "$s1" "$r0" "$r1" "$peak" <<'PY'
import sys
t0, t1, hz, s0, s1, r0, r1, peak = map(int, sys.argv[1:])
cpu = (t1 - t0) / hz / ((s1 - s0) / 1000) * 100
print(f"idle over {(s1 - s0) / 1000:.0f} s: CPU {cpu:.3f} % of one core ({t1 - t0} ticks at {hz} Hz); "
      f"RSS start {r0 / 1024:.1f} MiB, end {r1 / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")
PY
