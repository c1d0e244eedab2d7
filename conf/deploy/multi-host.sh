#!/usr/bin/env bash
# One-shot prune on several Docker hosts through docker contexts (docker context create NAME
# --docker host=ssh://user@host). The container runs on each host against that host's own socket.
#
#   conf/deploy/multi-host.sh [CONTEXT...]        default: every context except `default`
#
# The image must exist on each host: when it does not, this script copies it there
# (docker save | docker --context NAME load). Exit status: the worst of all hosts (0 ok,
# 1 partly done, 2 error), so a scheduler sees any failure.
set -uo pipefail

IMAGE=${IMAGE:-docker-cleaner:latest}

if [ $# -gt 0 ]; then
  contexts=("$@")
else
  mapfile -t contexts < <(docker context ls --format '{{.Name}}' | grep -vx default)
fi
[ ${#contexts[@]} -gt 0 ] || { echo "no docker contexts given or defined" >&2; exit 2; }

worst=0
for ctx in "${contexts[@]}"; do
  echo "== $ctx" >&2
  if ! docker --context "$ctx" image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "   copying $IMAGE to $ctx" >&2
    docker save "$IMAGE" | docker --context "$ctx" load >/dev/null || { worst=2; continue; }
  fi
  docker --context "$ctx" run --rm --network none --read-only --tmpfs /tmp \
    -v /var/run/docker.sock:/var/run/docker.sock \
    -e PRUNE_FILTER_UNTIL=24h -e PRUNE_FILTER_LABEL=keep!=true -e LOG_FORMAT=json \
    "$IMAGE" run
  rc=$?
  echo "   $ctx exited $rc" >&2
  [ $rc -gt $worst ] && worst=$rc
done
exit $worst
