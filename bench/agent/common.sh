# Shared helpers for bench/agent/*.sh (sourced). Private daemons only, started with bin/test-daemon.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKER=/usr/bin/docker
TEST_IMAGE=dc-test/busybox:latest

log() { printf '[bench] %s\n' "$*" >&2; }

# start_daemon NAME [--disk SIZE]: starts (idempotent) and exports SOCK and DOCKER_HOST for NAME
start_daemon() {
  "$here/bin/test-daemon" start "$@" >&2
  SOCK=/tmp/dcd/$1/docker.sock
  export DOCKER_HOST=unix://$SOCK
}

# api METHOD PATH [curl args...]: one Engine API call on the private daemon
api() { local m=$1 p=$2; shift 2; curl -sS --unix-socket "$SOCK" -X "$m" "$@" "http://localhost$p"; }

# removes everything but the test image
reset_daemon() {
  local c; c=$($DOCKER ps -aq)
  [ -z "$c" ] || $DOCKER rm -f $c >/dev/null
  $DOCKER images --format '{{.ID}} {{.Repository}}:{{.Tag}}' | while read -r id ref; do
    [ "$ref" = "$TEST_IMAGE" ] || $DOCKER rmi -f "$id" >/dev/null 2>&1 || true
  done
}

# import_images PREFIX N: N small unique images (docker import of a one-file rootfs, ~0.1 s each)
import_images() {
  local prefix=$1 n=$2 dir; dir=$(mktemp -d)
  for i in $(seq 1 "$n"); do
    head -c 65536 /dev/urandom > "$dir/blob"
    tar -C "$dir" -c blob | $DOCKER import --change 'LABEL keep=false' - "$prefix:$i" >/dev/null
  done
  rm -rf "$dir"
}

# ms since the epoch of an RFC 3339 time
ms_of() { date -d "$1" +%s%3N; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ensure_jar: the launcher builds it when missing; do it up front so timings exclude the build
ensure_jar() { "$here/bin/docker-cleaner" version >/dev/null; }
