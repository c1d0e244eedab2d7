#!/usr/bin/env bash
# /metrics and /v1/status under a loopback load generator (wrk) while a cleanup run is in
# progress, and the agent's RSS under that load. Not a test: it prints numbers for bench/README.md.
#   bench/api/run.sh            (as root: it starts the private daemon DAEMON with bin/test-daemon)
# Environment: DAEMON (private daemon name, default ops), CONTAINERS (stopped containers to create,
# default 2000), PORT (default 18089), DURATION (wrk -d, default 10s), THREADS (2), CONNECTIONS (16).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
DAEMON=${DAEMON:-ops}
CONTAINERS=${CONTAINERS:-2000}
PORT=${PORT:-18089}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
TOKEN=bench-token
DOCKER=/usr/bin/docker   # Debian's client (see RECIPES.md)
base="http://127.0.0.1:$PORT"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 2; }
"$here/bin/test-daemon" start "$DAEMON" >/dev/null
sock=/tmp/dcd/$DAEMON/docker.sock
export DOCKER_HOST=unix://$sock
work=$(mktemp -d /tmp/dc-bench-api.XXXXXX)
agent_pid=
sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "== clearing containers on $DOCKER_HOST, creating $CONTAINERS stopped (created) containers"
ids=$("$DOCKER" ps -aq)
[ -n "$ids" ] && "$DOCKER" rm -f $ids >/dev/null
body='{"Image":"dc-test/busybox:latest","Cmd":["true"],"Labels":{"keep":"false"},"HostConfig":{"NetworkMode":"none"}}'
seq 1 "$CONTAINERS" | xargs -P 4 -I{} curl -sf --unix-socket "$sock" -o /dev/null -X POST \
  -H 'Content-Type: application/json' -d "$body" "http://localhost/containers/create?name=bench-{}"
echo "   $("$DOCKER" ps -aq | wc -l) containers"

echo "== starting the agent (bin/docker-cleaner agent) on $base"
# the launcher may build the jar first: do it now, so the agent's start is what we wait for below
"$here/bin/docker-cleaner" version >/dev/null
env -i PATH="$PATH" HOME="$HOME" HOSTNAME=bench DOCKER_HOST="$DOCKER_HOST" HTTP_LISTEN="127.0.0.1:$PORT" \
  API_TOKEN=$TOKEN MIN_AGE=0s QUIET_PERIOD=0s DELETE_CONCURRENCY=1 MAX_DELETIONS_PER_RUN=100000 \
  MAX_RUN_DURATION=30m CLEANUP_IMAGES=false CLEANUP_NETWORKS=false CLEANUP_BUILD_CACHE=false \
  DISK_HIGH_WATERMARK=99% DISK_LOW_WATERMARK=98% DISK_CRITICAL_WATERMARK=100% \
  INODE_HIGH_WATERMARK=99% INODE_LOW_WATERMARK=98% LOG_FORMAT=json \
  "$here/bin/docker-cleaner" agent >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 300); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$agent_pid" 2>/dev/null || { echo "agent exited:"; cat "$work/agent.log"; exit 1; }
  sleep 0.1
done
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$agent_pid/status"; }
echo "   pid $agent_pid, idle VmRSS $(rss VmRSS) kB"

# RSS sampler: peak VmRSS over the load
( peak=0; while kill -0 "$agent_pid" 2>/dev/null; do
    v=$(rss VmRSS || echo 0); [ "${v:-0}" -gt "$peak" ] && peak=$v && echo "$peak" >"$work/peak"; sleep 0.2
  done ) &
sampler_pid=$!

run_state() { curl -sf "$base/v1/status" | sed -n 's/.*"currentRun":\({[^}]*"id":"[^"]*"\).*/\1/p' | grep -o '"id":"[^"]*"' || echo none; }

echo "== POST /v1/runs"
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' "$base/v1/runs"; echo
for path in /metrics /v1/status; do
  echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $base$path (run in progress: $(run_state))"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base$path" | tee "$work/wrk${path//\//_}.txt"
  echo "   run still in progress after: $(run_state); containers left: $("$DOCKER" ps -aq | wc -l)"
done
echo "== RSS: peak VmRSS $(cat "$work/peak" 2>/dev/null || echo ?) kB (sampled every 0.2 s), VmHWM $(rss VmHWM) kB"
echo "== machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(uname -r), $(java -version 2>&1 | head -1), $(date -u +%F)"
echo "   agent log: $work/agent.log"
