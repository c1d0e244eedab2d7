#!/usr/bin/env bash
# Dashboard performance bench (not a test): first load bytes and first meaningful render of /ui/
# in Debian's Chromium driven by playwright-core, and the agent's CPU time for a run of 1,000
# deletions with and without the live view open. See bench/README.md, "Dashboard".
#
#   bin/test-daemon start uibench
#   DOCKER_HOST=unix:///tmp/dcd/uibench/docker.sock bench/ui/run.sh [OUT_DIR]
#
# Needs a daemon started by bin/test-daemon (marker file next to the socket: the bench creates and
# deletes containers), /usr/bin/chromium and the npm packages bin/test installs for the browser
# test (DC_UI_E2E_MODULES, default /var/cache/docker-cleaner-test/ui-e2e/node_modules).
# Knobs: LOADS (cold loads, default 7), TRIALS (CPU trials per variant, default 3), CONTAINERS (1000).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/bench/ui/results-$(date -u +%Y-%m-%d)}
MODULES=${DC_UI_E2E_MODULES:-/var/cache/docker-cleaner-test/ui-e2e/node_modules}
: "${DOCKER_HOST:?set DOCKER_HOST to a private daemon started by bin/test-daemon}"
SOCKET=${DOCKER_HOST#unix://}
[ -e "$(dirname "$SOCKET")/.docker-cleaner-test-daemon" ] \
  || { echo "bench/ui: $DOCKER_HOST was not started by bin/test-daemon (no marker): refusing to delete there" >&2; exit 2; }
[ -x /usr/bin/chromium ] || { echo "bench/ui: /usr/bin/chromium is missing (bin/test installs it)" >&2; exit 2; }
[ -d "$MODULES/playwright-core" ] || { echo "bench/ui: no playwright-core in $MODULES (bin/test installs it)" >&2; exit 2; }

mkdir -p "$OUT"
STATE=$(mktemp -d)
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
TOKEN=bench-token-$$

# thresholds never fire (the bench decides when runs happen); one run may delete all 1,000
env -i PATH="$PATH" HOME="$HOME" DOCKER_HOST="$DOCKER_HOST" STATE_DIR="$STATE" HTTP_LISTEN=127.0.0.1:$PORT \
  API_TOKEN="$TOKEN" API_RATE_LIMIT=1000/min MIN_AGE=0s QUIET_PERIOD=0s MAX_DELETIONS_PER_RUN=5000 \
  MAX_RUN_DURATION=30m DISK_HIGH_WATERMARK=99.9% DISK_LOW_WATERMARK=99.8% DISK_CRITICAL_WATERMARK=100% \
  INODE_HIGH_WATERMARK=99.9% INODE_LOW_WATERMARK=99.8% LOG_FORMAT=text \
  "$ROOT/bin/docker-cleaner" agent >"$OUT/agent.log" 2>&1 &
AGENT=$!
cleanup() {
  kill -TERM "$AGENT" 2>/dev/null || true
  wait "$AGENT" 2>/dev/null || true
  rm -rf "$STATE"
}
trap cleanup EXIT

for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$AGENT" 2>/dev/null || { echo "bench/ui: the agent exited; see $OUT/agent.log" >&2; exit 1; }
  sleep 0.2
done

AGENT_URL=http://127.0.0.1:$PORT AGENT_PID=$AGENT API_TOKEN=$TOKEN DOCKER_SOCKET=$SOCKET \
  DC_UI_E2E_MODULES=$MODULES OUT="$OUT" node "$ROOT/bench/ui/ui-bench.mjs" | tee "$OUT/summary.txt"
