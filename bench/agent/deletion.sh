#!/usr/bin/env bash
# Deleting N unused images three ways on the private daemon "at" (same set rebuilt each time):
#   agent   a budgeted run of `bin/docker-cleaner agent` (POST /v1/runs {"types":["image"]}),
#           timed from the run record (startedAt → finishedAt) and from POST to "finished" as seen
#           by polling GET /v1/runs/{id} every 50 ms
#   curl    N sequential DELETE /images/{id} with curl (one process per call)
#   prune   one POST /images/prune (dangling=false, label!=keep=true)
#   bench/agent/deletion.sh [N] [DELETE_CONCURRENCY]
source "$(dirname "$0")/common.sh"
n=${1:-100}
conc=${2:-2}
start_daemon at
ensure_jar
token=bench-token
now_ms() { date +%s%3N; }

reset_daemon; import_images bench/del "$n"
state=$(mktemp -d); port=$(free_port)
DOCKER_HOST=unix://$SOCK STATE_DIR=$state API_TOKEN=$token HTTP_LISTEN=127.0.0.1:$port MIN_AGE=0s QUIET_PERIOD=0s \
  DELETE_CONCURRENCY=$conc CLEANUP_CONTAINERS=false CLEANUP_BUILD_CACHE=false \
  "$here/bin/docker-cleaner" agent > "$state/agent.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
t0=$(now_ms)
id=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"types":["image"]}' "http://127.0.0.1:$port/v1/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runId"])')
while :; do
  body=$(curl -sf "http://127.0.0.1:$port/v1/runs/$id")
  outcome=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["outcome"])')
  [ "$outcome" = running ] || break
  sleep 0.05
done
t1=$(now_ms)
agent_wall=$((t1 - t0))
read -r agent_run removed < <(printf '%s' "$body" | python3 -c '
import json, sys
from datetime import datetime
r = json.load(sys.stdin)
p = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
print(round((p(r["finishedAt"]) - p(r["startedAt"])).total_seconds() * 1000), r["removed"])')
kill -TERM "$pid"; wait "$pid" || true
rm -rf "$state"
left=$($DOCKER images -q bench/del | wc -l)
log "agent: removed $removed, $left left; run ${agent_run} ms, POST→finished ${agent_wall} ms"

reset_daemon; import_images bench/del "$n"
ids=$($DOCKER images -q --no-trunc bench/del)
t0=$(now_ms)
for i in $ids; do api DELETE "/images/$i" >/dev/null; done
t1=$(now_ms); curl_ms=$((t1 - t0))
log "curl: $($DOCKER images -q bench/del | wc -l) left; ${curl_ms} ms"

reset_daemon; import_images bench/del "$n"
t0=$(now_ms)
api POST '/images/prune?filters=%7B%22dangling%22%3A%5B%22false%22%5D%2C%22label!%22%3A%5B%22keep%3Dtrue%22%5D%7D' >/dev/null
t1=$(now_ms); prune_ms=$((t1 - t0))
log "prune: $($DOCKER images -q bench/del | wc -l) left; ${prune_ms} ms"
reset_daemon

python3 - "$n" "$conc" "$agent_run" "$agent_wall" "$curl_ms" "$prune_ms" <<'PY'
import sys
n, conc, run, wall, curl, prune = map(int, sys.argv[1:])
print(f"N={n} images, DELETE_CONCURRENCY={conc}: agent run {run} ms (POST→finished {wall} ms), "
      f"sequential curl {curl} ms, one prune {prune} ms; agent/curl {run / curl:.2f}, agent/prune {run / prune:.2f}")
PY
