#!/usr/bin/env bash
# Threshold crossing → first deletion: from the disk sample that crossed DISK_HIGH_WATERMARK (the
# agent's DEBUG line "Sample above the high watermark", field sample_at) to the first audit line.
# Uses the private daemon "atsmall" (2 GiB loop-mounted data root). Target: ≤ 1 s.
#   bench/agent/threshold-latency.sh [ROUNDS]
source "$(dirname "$0")/common.sh"
rounds=${1:-5}
start_daemon atsmall --disk 2G
ensure_jar
root=$($DOCKER info --format '{{.DockerRootDir}}')
mnt=$(df --output=target "$root" | tail -1)
results=()
for r in $(seq 1 "$rounds"); do
  reset_daemon
  for i in 1 2 3 4; do   # deletable: 4 unused images of 20 MiB each
    printf 'FROM %s\nLABEL keep=false\nRUN echo %s-%s > /n && dd if=/dev/zero of=/blob bs=1M count=20 2>/dev/null\n' \
      "$TEST_IMAGE" "$RANDOM$RANDOM" "$i" | DOCKER_BUILDKIT=0 $DOCKER build -q -t "bench/lat:$i" - >/dev/null
  done
  sync
  read -r used avail < <(df -B1 --output=used,avail "$mnt" | tail -1)
  usable=$((used + avail))
  # high: crossed by a 64 MiB filler written after the agent starts; low: 1 image below now
  high=$(python3 -c "print(f'{($used + 32*2**20) / $usable * 100:.4f}%')")
  low=$(python3 -c "print(f'{($used - 10*2**20) / $usable * 100:.4f}%')")
  state=$(mktemp -d); port=$(free_port)
  DOCKER_HOST=unix://$SOCK STATE_DIR=$state LOG_FORMAT=json LOG_LEVEL=DEBUG DISK_CHECK_INTERVAL=200ms \
    DISK_HIGH_WATERMARK=$high DISK_LOW_WATERMARK=$low DISK_CRITICAL_WATERMARK=99% MIN_AGE=0s QUIET_PERIOD=0s \
    MIN_RUN_INTERVAL=1s HTTP_LISTEN=127.0.0.1:$port \
    "$here/bin/docker-cleaner" agent > "$state/agent.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
  sleep 1   # let the agent settle (first samples below the watermark)
  dd if=/dev/zero of="$mnt/filler" bs=1M count=64 conv=fsync status=none
  until [ -s "$state/audit.jsonl" ]; do sleep 0.05; done
  kill -TERM "$pid"; wait "$pid" || true
  rm -f "$mnt/filler"
  sample=$(grep '"Sample above the high watermark' "$state/agent.log" | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["sample_at"])')
  first=$(head -1 "$state/audit.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["time"])')
  ms=$(( $(ms_of "$first") - $(ms_of "$sample") ))
  log "round $r: crossing sample $sample → first deletion $first: ${ms} ms"
  results+=("$ms")
  rm -rf "$state"
done
reset_daemon
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {printf "threshold→first deletion (ms): min %d, median %d, max %d over %d rounds\n", a[1], a[int((NR+1)/2)], a[NR], NR}'
