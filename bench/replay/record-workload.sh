#!/usr/bin/env bash
# A trace recorded from a real daemon (bench/README.md, "A recorded trace"): starts a private dockerd
# (bin/test-daemon start NAME), prepares images offline (nothing can be pulled here: `docker save`
# archives stand in for a registry and `docker load` for a pull), starts `bin/docker-cleaner record`,
# runs a scripted CI-like build/pull/run workload in compressed time, stops the recorder with SIGTERM,
# then replays the trace with lru, age and cost at two disk budgets. Stops the daemon it started.
#
#   bench/replay/record-workload.sh [--name NAME] [--cycles N] [--out FILE] [--replay-only]
#
# Defaults: NAME replayrec, 4 cycles ("nights"), FILE bench/replay/recorded-ci.jsonl. --replay-only
# skips the daemon and the recording and replays FILE as it is (e.g. the committed trace).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
NAME=replayrec
CYCLES=4
OUT=$ROOT/bench/replay/recorded-ci.jsonl
REPLAY_ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --name) NAME=$2; shift 2 ;;
    --cycles) CYCLES=$2; shift 2 ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --replay-only) REPLAY_ONLY=1; shift ;;
    *) echo "unknown argument $1 (expected --name NAME, --cycles N, --out FILE)" >&2; exit 2 ;;
  esac
done
D=/usr/bin/docker # Debian's client (the one first on PATH lacks buildx)
WORK=$(mktemp -d /tmp/dc-recbench.XXXXXX)
REC_PID=""
cleanup() {
  if [ -n "$REC_PID" ] && kill -0 "$REC_PID" 2>/dev/null; then kill -TERM "$REC_PID"; wait "$REC_PID" || true; fi
  bin/test-daemon stop "$NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

replay() {
  # The workload ran in minutes, not days: MIN_AGE, QUIET_PERIOD and MIN_RUN_INTERVAL are set to 0 so
  # the planner may delete anything not in use (with the defaults nothing would be old enough).
  echo "| disk | policy | re-pulled | misses | deletions | cleanups | peak | overflows |"
  echo "|---|---|---|---|---|---|---|---|"
  for disk in 150MB 200MB; do
    for policy in lru age cost; do
      LOG_FORMAT=json bin/docker-cleaner replay --trace "$OUT" --disk-bytes "$disk" --policy "$policy" \
        --min-age 0s --quiet-period 0s --min-run-interval 0s \
        | jq -r '"| \(.disk_bytes/1e6) MB | \(.policy) | \(.bytes_repulled/1e5|round/10) MB | \(.misses) | \(.deletions) | \(.cleanup_runs) | \(.peak_usage_bytes/1e5|round/10) MB | \(.overflows) |"'
    done
  done
}
if [ -n "$REPLAY_ONLY" ]; then
  trap - EXIT
  rm -rf "$WORK"
  replay
  exit 0
fi

bin/test-daemon start "$NAME" >&2
eval "$(bin/test-daemon env "$NAME")"
VAR=DOCKER_CLEANER_TEST_HOST_$(echo "$NAME" | tr 'a-z-' 'A-Z_')
export DOCKER_HOST=${!VAR}
export DOCKER_BUILDKIT=0 # the classic builder: its layers are shared through its cache as on many CI hosts
mvn -B -q -o package -DskipTests >&2

# An image FROM $2 with one layer of $3 MB (zeros) plus a nonce; tagged $1.
make_image() {
  local tag=$1 from=$2 mb=$3 ctx
  ctx=$(mktemp -d "$WORK/ctx.XXXXXX")
  printf 'FROM %s\nRUN dd if=/dev/zero of=/data-%s bs=1M count=%s 2>/dev/null && echo %s > /nonce-%s\n' \
    "$from" "$RANDOM" "$mb" "$RANDOM$RANDOM" "$RANDOM" > "$ctx/Dockerfile"
  $D build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
}

# --- offline "registry": archives of the images the workload pulls ---------------------------------
echo "preparing archives (before recording)..." >&2
make_image ci/base-0:latest dc-test/busybox:latest 20
make_image ci/base-1:latest dc-test/busybox:latest 30
make_image tools/lint:stable dc-test/busybox:latest 25
make_image tools/scan:stable dc-test/busybox:latest 40
for k in $(seq 1 "$CYCLES"); do make_image "oneoff/tool-$k:v1" dc-test/busybox:latest $((8 + 4 * k)); done
for img in ci/base-0 ci/base-1 tools/lint tools/scan; do
  tag=$img:latest; [[ $img == tools/* ]] && tag=$img:stable
  $D save "$tag" -o "$WORK/$(echo "$img" | tr / -).tar"
done
for k in $(seq 1 "$CYCLES"); do $D save "oneoff/tool-$k:v1" -o "$WORK/oneoff-$k.tar"; done
$D rmi $($D images --format '{{.Repository}}:{{.Tag}}' | grep -v '^dc-test/busybox:latest$') >/dev/null
$D image prune -f >/dev/null

# --- record ------------------------------------------------------------------------------------------
rm -f "$OUT"
bin/docker-cleaner record --out "$OUT" > "$WORK/record.log" 2>&1 &
REC_PID=$!
for _ in $(seq 1 300); do grep -q "record: following" "$WORK/record.log" && break; sleep 0.1; done
grep -q "record: following" "$WORK/record.log" || { cat "$WORK/record.log" >&2; exit 1; }
echo "recording into $OUT" >&2

pull() { $D load -q -i "$WORK/$1.tar" >/dev/null; }
run() { $D run --rm --network none "$1" sleep "${2:-1}"; }
# app-N: built on its base, with a dependencies layer the builder's cache shares between builds,
# and a small source layer of its own
build_app() {
  local repo=$1 tag=$2 base=$3 deps_mb=$4 ctx
  ctx=$(mktemp -d "$WORK/app.XXXXXX")
  printf 'FROM %s\nRUN dd if=/dev/zero of=/deps bs=1M count=%s 2>/dev/null\nRUN dd if=/dev/zero of=/src bs=1M count=%s 2>/dev/null && echo %s > /nonce\n' \
    "$base" "$deps_mb" $((1 + RANDOM % 3)) "$RANDOM$RANDOM" > "$ctx/Dockerfile"
  $D build -q -t "app-$repo:$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
}

pull ci-base-0; pull ci-base-1
branch=0
for cycle in $(seq 1 "$CYCLES"); do
  echo "cycle $cycle" >&2
  # "nightly": every repository's main is rebuilt (the tag moves; the old image turns dangling), tested
  for r in 0 1 2; do
    build_app "$r" main "ci/base-$((r % 2)):latest" $((8 + 2 * r))
    run "app-$r:main"; run "app-$r:main"
  done
  # nightly tools: pulled (again, if something removed them) and run
  pull tools-lint; run tools/lint:stable 2
  pull tools-scan; run tools/scan:stable 2
  # feature branches: built, run one to three times
  for _ in 1 2 3; do
    branch=$((branch + 1)); r=$((branch % 3))
    build_app "$r" "feat-$branch" "ci/base-$((r % 2)):latest" $((8 + 2 * r))
    for _ in $(seq 1 $((1 + branch % 3))); do run "app-$r:feat-$branch"; done
  done
  # a branch from the previous cycle comes back (rebuilt on top of the cache: same deps layer)
  if [ "$branch" -gt 3 ]; then run "app-$(((branch - 4) % 3)):feat-$((branch - 4))"; fi
  # a one-off tool: pulled and run once
  pull "oneoff-$cycle"; run "oneoff/tool-$cycle:v1"
  # the workload's own housekeeping: the branch of two cycles ago is removed
  if [ "$branch" -gt 6 ]; then $D rmi "app-$(((branch - 6) % 3)):feat-$((branch - 6))" >/dev/null; fi
done

kill -TERM "$REC_PID"
wait "$REC_PID"
REC_PID=""
cat "$WORK/record.log" >&2
echo "trace: $OUT ($(grep -vc '^#' "$OUT") events)" >&2

# --- replay ------------------------------------------------------------------------------------------
replay
