#!/usr/bin/env bash
# Deleting N unused images three ways on the private daemon "$BENCH_DAEMON" (default "adel"; the
# same set rebuilt each time), REPS times, while a probe times GET /containers/json:
#   agent       a budgeted run of `bin/docker-cleaner agent` (POST /v1/runs {"types":["image"]})
#   prune       one POST /images/prune (dangling=false, label!=keep=true)
#   sequential  N DELETE /images/{id} one at a time on one kept-alive connection
# Details in deletion.py. As root; stops nothing it did not start (the daemon stays up: stop it
# with `bin/test-daemon stop NAME`).
#   bench/agent/deletion.sh [N] [REPS] [DELETE_CONCURRENCY]
source "$(dirname "$0")/common.sh"
n=${1:-100}
reps=${2:-3}
conc=${3:-8}
start_daemon "${BENCH_DAEMON:-adel}"
ensure_jar
python3 "$here/bench/agent/deletion.py" "$SOCK" "$here/bin/docker-cleaner" "$n" "$reps" "$conc"
