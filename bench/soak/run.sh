#!/usr/bin/env bash
# Soak benchmark (issue 10): a CI-like workload fills a small loop-mounted private daemon while
# the agent (bin/docker-cleaner agent, the shipped launcher) keeps it under its high watermark.
# Every SAMPLE_INTERVAL it records the agent's RSS, CPU time, open files and threads, the disk use,
# runs and reclaimed bytes (from /metrics); at the end it prints whether they stayed flat.
#
#   bench/soak/run.sh [DURATION_SECONDS]        (default 7200 = 2 h)
#   env: JOB_INTERVAL (10 s), SAMPLE_INTERVAL (30 s), SOAK_DAEMON (soak), DISK (2G), OUT (results dir),
#        DOCKER_CLEANER_JAVA_OPTS (passed to the agent's JVM, e.g. -Xmx48m: a leak then ends in an
#        OutOfMemoryError instead of a heap growing into its default cap)
# Heap in use after the last GC and metaspace come from jstat; class histograms (jcmd) are written
# at the half and at the end, so RSS growth can be told apart from heap growth.
#
# Private daemon only (bin/test-daemon start SOAK_DAEMON --disk DISK); stops only what it started.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${1:-7200}
JOB_INTERVAL=${JOB_INTERVAL:-10}
SAMPLE_INTERVAL=${SAMPLE_INTERVAL:-30}
NAME=${SOAK_DAEMON:-soak}
DISK=${DISK:-2G}
OUT=${OUT:-$here/bench/soak/results-$(date -u +%Y-%m-%d)}
DOCKER=/usr/bin/docker
TEST_IMAGE=dc-test/busybox:latest
PORT=${PORT:-18787}
mkdir -p "$OUT"
work=$(mktemp -d)
started_daemon=0
agent_pid=
workload_pid=

log() { printf '[soak] %s\n' "$*" >&2; }

cleanup() {
  [ -n "$workload_pid" ] && kill "$workload_pid" 2>/dev/null || true
  if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
  fi
  [ "$started_daemon" = 1 ] && "$here/bin/test-daemon" stop "$NAME" >&2 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ ! -S "/tmp/dcd/$NAME/docker.sock" ]; then
  "$here/bin/test-daemon" start "$NAME" --disk "$DISK" >&2
  started_daemon=1
fi
export DOCKER_HOST=unix:///tmp/dcd/$NAME/docker.sock
[ -f "$here/target/docker-cleaner.jar" ] || (cd "$here" && mvn -B -q -o package -DskipTests >&2)

# the agent as a user runs it
env -i PATH="$PATH" HOME="$HOME" DOCKER_HOST="$DOCKER_HOST" \
  DOCKER_CLEANER_JAVA_OPTS="${DOCKER_CLEANER_JAVA_OPTS:-}" LOG_FORMAT=json STATE_DIR="$work/state" \
  HTTP_LISTEN=127.0.0.1:$PORT DISK_HIGH_WATERMARK=60% DISK_LOW_WATERMARK=45% DISK_CHECK_INTERVAL=5s \
  MIN_AGE=60s QUIET_PERIOD=30s MIN_RUN_INTERVAL=30s CLEANUP_VOLUMES=true \
  "$here/bin/docker-cleaner" agent > "$OUT/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { log "agent not ready; see $OUT/agent.log"; exit 1; }
# the launcher execs the JVM: this pid is the JVM's
log "agent pid $agent_pid ready on 127.0.0.1:$PORT; workload every ${JOB_INTERVAL}s for ${DURATION}s"

# the workload: a CI job every JOB_INTERVAL: build an 8 MiB image (run + commit), leave its stopped
# container, retag :latest, an anonymous volume of 2 MiB; the agent's threshold runs must keep up.
# No networks: each user network takes an address pool and a bridge of the host's (all private
# daemons share the host's network namespace) and frees no disk, so threshold runs never remove
# them; a soak making one every few jobs exhausted the pools and broke the test daemons' network
# creation on the same machine.
workload() {
  local n=0
  while true; do
    n=$((n + 1))
    local c
    c=$($DOCKER create --network none --label keep=false -v /data "$TEST_IMAGE" sh -c \
      "dd if=/dev/urandom of=/blob bs=1M count=8 2>/dev/null; dd if=/dev/urandom of=/data/d bs=1M count=2 2>/dev/null")
    $DOCKER start -a "$c" >/dev/null 2>&1 || true
    $DOCKER commit --change 'LABEL keep=false' "$c" "soak/app:$n" >/dev/null 2>&1 || true
    $DOCKER tag "soak/app:$n" soak/app:latest >/dev/null 2>&1 || true
    sleep "$JOB_INTERVAL"
  done
}
workload > "$OUT/workload.log" 2>&1 &
workload_pid=$!

csv="$OUT/samples.csv"
echo "t_s,rss_kib,cpu_s,fds,threads,disk_used_pct,runs_total,reclaimed_bytes_total,containers,images,volumes,heap_used_kib,old_used_kib,metaspace_kib" > "$csv"
echo "${DOCKER_CLEANER_JAVA_OPTS:-}" > "$OUT/java-opts.txt"
histogram_at_half=0
hz=$(getconf CLK_TCK)
# --disk puts the data root on a loop-mounted filesystem at /tmp/dcd/NAME/root
mnt=/tmp/dcd/$NAME/root
[ -d "$mnt" ] || mnt=/tmp/dcd/$NAME
start=$(date +%s)
while true; do
  now=$(date +%s); t=$((now - start))
  kill -0 "$agent_pid" 2>/dev/null || { log "the agent exited"; exit 1; }
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$agent_pid/status")
  thr=$(awk '/Threads/ {print $2}' "/proc/$agent_pid/status")
  cpu=$(awk -v hz="$hz" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$agent_pid/stat")
  fds=$(ls "/proc/$agent_pid/fd" | wc -l)
  disk=$(df --output=pcent "$mnt" | tail -1 | tr -dc '0-9')
  metrics=$(curl -sf "http://127.0.0.1:$PORT/metrics" || true)
  runs=$(awk '/^docker_cleaner_runs_total/ {s += $NF} END {printf "%.0f", s}' <<< "$metrics")
  reclaimed=$(awk '/^docker_cleaner_reclaimed_bytes_total/ {s += $NF} END {printf "%.0f", s}' <<< "$metrics")
  nc=$($DOCKER ps -aq | wc -l); ni=$($DOCKER images -aq | wc -l); nv=$($DOCKER volume ls -q | wc -l)
  # jstat -gc: S0U S1U EU OU MU are columns 3 4 6 8 10 (KiB)
  heap=$(jstat -gc "$agent_pid" 2>/dev/null | awk 'NR == 2 {printf "%.0f,%.0f,%.0f", $3 + $4 + $6 + $8, $8, $10}')
  [ -n "$heap" ] || heap=",,"
  echo "$t,$rss,$cpu,$fds,$thr,$disk,$runs,$reclaimed,$nc,$ni,$nv,$heap" >> "$csv"
  if [ "$histogram_at_half" = 0 ] && [ "$t" -ge $((DURATION / 2)) ]; then
    jcmd "$agent_pid" GC.class_histogram 2>/dev/null | head -40 > "$OUT/histogram-half.txt" || true
    histogram_at_half=1
  fi
  [ "$t" -ge "$DURATION" ] && break
  sleep "$SAMPLE_INTERVAL"
done
kill "$workload_pid" 2>/dev/null || true; wait "$workload_pid" 2>/dev/null || true; workload_pid=
jcmd "$agent_pid" GC.class_histogram 2>/dev/null | head -40 > "$OUT/histogram-end.txt" || true

python3 - "$csv" > "$OUT/summary.md" <<'EOF'
import csv, sys
rows = [{k: float(v) if v else 0.0 for k, v in r.items()} for r in csv.DictReader(open(sys.argv[1]))]
q = max(1, len(rows) // 4)
first, last = rows[q:2 * q], rows[-q:]  # skip the first quarter: warm-up (JIT, pools, first runs)
def mean(rs, k): return sum(r[k] for r in rs) / len(rs)
dur = rows[-1]["t_s"]
print(f"samples: {len(rows)} over {dur/60:.0f} min")
print("| measure | 2nd quarter mean | last quarter mean | change |")
print("|---|---:|---:|---:|")
for k in ["rss_kib", "fds", "threads", "heap_used_kib", "old_used_kib", "metaspace_kib"]:
    if k not in rows[0]: continue
    a, b = mean(first, k), mean(last, k)
    if a == 0: continue
    print(f"| {k} | {a:.0f} | {b:.0f} | {100 * (b - a) / a:+.1f}% |")
cpu_rate = lambda rs: (rs[-1]["cpu_s"] - rs[0]["cpu_s"]) / max(1, rs[-1]["t_s"] - rs[0]["t_s"])
print(f"| CPU (s per s) | {cpu_rate(first):.4f} | {cpu_rate(last):.4f} | |")
print()
print(f"max RSS {max(r['rss_kib'] for r in rows)/1024:.0f} MiB; max fds {max(r['fds'] for r in rows):.0f}; "
      f"max threads {max(r['threads'] for r in rows):.0f}")
print(f"disk used: max {max(r['disk_used_pct'] for r in rows):.0f}%, last {rows[-1]['disk_used_pct']:.0f}% "
      f"(high watermark 60%, low 45%); samples above 60%: {sum(r['disk_used_pct'] > 60 for r in rows)} of {len(rows)}")
print(f"runs: {rows[-1]['runs_total']:.0f}; reclaimed: {rows[-1]['reclaimed_bytes_total']/2**30:.2f} GiB; "
      f"objects at the end: {rows[-1]['containers']:.0f} containers, {rows[-1]['images']:.0f} images, {rows[-1]['volumes']:.0f} volumes")
EOF
cat "$OUT/summary.md"
