#!/usr/bin/env bash
# The agent and the one-shot across several hosts, on three private daemons (bin/test-daemon
# mhb1..mhb3; started here, stopped at the end only if this script started them).
#
#   1. Idle RSS (VmRSS) of `bin/docker-cleaner agent` watching one daemon (DOCKER_HOST=mhb1) and
#      watching three (DOCKER_HOSTS=mhb1,mhb2,mhb3): median of samples every 2 s over IDLE seconds
#      after a 15 s warm-up, REPS times each. Target: three ≤ 1.2 × one.
#   2. Wall-clock of `bin/docker-cleaner run` on each host alone and across the three with
#      HOST_CONCURRENCY=3, each daemon holding the same work (CONTAINERS stopped containers and
#      IMAGES unused images, made again before every run). Target: three ≤ 1.3 × the slowest alone.
#
#   bench/multihost/run.sh [REPS] [IDLE_SECONDS] [CONTAINERS] [IMAGES]    (as root)
source "$(dirname "$0")/../agent/common.sh"
reps=${1:-3}
idle=${2:-30}
containers=${3:-40}
images=${4:-15}
names=(mhb1 mhb2 mhb3)
started=()
for n in "${names[@]}"; do
  if [ ! -S "/tmp/dcd/$n/docker.sock" ]; then started+=("$n"); fi
  "$here/bin/test-daemon" start "$n" >&2
done
cleanup() { for n in "${started[@]}"; do "$here/bin/test-daemon" stop "$n" >&2 || true; done; }
trap cleanup EXIT
ensure_jar
sock() { echo "/tmp/dcd/$1/docker.sock"; }
out=${OUT:-$here/bench/multihost/results-$(date -u +%F)}
mkdir -p "$out"
log "results in $out"

# ---- 1. idle RSS -------------------------------------------------------------------------------
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
idle_rss() { # $1 = label; env for the agent in the remaining args; prints the median RSS in KiB
  local label=$1; shift
  local state; state=$(mktemp -d); local port; port=$(free_port)
  env "$@" STATE_DIR="$state" HTTP_LISTEN=127.0.0.1:$port "$here/bin/docker-cleaner" agent > "$out/agent-$label.log" 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.2; done
  sleep 15
  local samples=()
  for _ in $(seq 1 $((idle / 2))); do samples+=("$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"); sleep 2; done
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$state"
  printf '%s\n' "${samples[@]}" | median
}
one_host=(DOCKER_HOST=unix://$(sock mhb1))
three_hosts=(DOCKER_HOSTS=mhb1=unix://$(sock mhb1),mhb2=unix://$(sock mhb2),mhb3=unix://$(sock mhb3))
echo "rep one_host_rss_kib three_hosts_rss_kib ratio" > "$out/idle-rss.txt"
for r in $(seq 1 "$reps"); do
  a=$(idle_rss "one-$r" "${one_host[@]}")
  b=$(idle_rss "three-$r" "${three_hosts[@]}")
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
  echo "$r $a $b $ratio" | tee -a "$out/idle-rss.txt" >&2
done

# ---- 2. one-shot across hosts --------------------------------------------------------------------
fill() { # the same work on daemon $1
  local s; s=$(sock "$1")
  DOCKER_HOST=unix://$s SOCK=$s reset_daemon
  local body='{"Image":"'$TEST_IMAGE'","Cmd":["true"],"Labels":{"keep":"false"},"HostConfig":{"NetworkMode":"none"}}'
  seq 1 "$containers" | xargs -P 8 -I{} curl -sf -o /dev/null --unix-socket "$s" -H 'Content-Type: application/json' \
    -d "$body" "http://localhost/containers/create?name=bench-{}"
  DOCKER_HOST=unix://$s import_images "bench-$1" "$images"
}
oneshot() { # env in the args; prints wall-clock milliseconds
  local t0; t0=$(date +%s%3N)
  env "$@" MIN_AGE=0s PRUNE_FILTER_UNTIL=0 PRUNE_ALL=true LOG_FORMAT=json "$here/bin/docker-cleaner" run >> "$out/oneshot.log" 2>&1 || true
  echo $(( $(date +%s%3N) - t0 ))
}
echo "rep mhb1_ms mhb2_ms mhb3_ms slowest_ms three_hosts_concurrency3_ms ratio" > "$out/oneshot.txt"
for r in $(seq 1 "$reps"); do
  alone=()
  for n in "${names[@]}"; do
    fill "$n"
    alone+=("$(oneshot DOCKER_HOST=unix://$(sock "$n"))")
  done
  for n in "${names[@]}"; do fill "$n"; done
  multi=$(oneshot "${three_hosts[@]}" HOST_CONCURRENCY=3)
  slowest=$(printf '%s\n' "${alone[@]}" | sort -n | tail -1)
  ratio=$(awk -v a="$slowest" -v b="$multi" 'BEGIN {printf "%.3f", b / a}')
  echo "$r ${alone[*]} $slowest $multi $ratio" | tee -a "$out/oneshot.txt" >&2
done
{ echo "date: $(date -u +%FT%TZ)"; echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)";
  echo "java: $(java -version 2>&1 | head -1)"; echo "reps=$reps idle=${idle}s containers=$containers images=$images"; } > "$out/env.txt"
cat "$out/idle-rss.txt" "$out/oneshot.txt" >&2
