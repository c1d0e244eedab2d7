#!/usr/bin/env bash
# Multi-host one-shot benchmark (issue 12): `docker-cleaner run` across 3 private daemons with
# DOCKER_HOSTS and HOST_CONCURRENCY=3, against the same run on each daemon alone. Target: the
# 3-host run takes ≤ 1.3× the slowest single host.
#
#   bench/multihost/oneshot.sh [N]      (as root; default N = 500 stopped containers per host,
#                                        plus N/10 dangling images)
#
# Each repetition: fresh fixtures on the 3 daemons, each host run alone (one after another), fresh
# fixtures again, then one 3-host run. Timed under /usr/bin/time (elapsed, peak RSS).
# Environment: REPS (default 3), HOSTS_PREFIX (daemon names PREFIX1..3, default mh), OUT (folder).
# Private daemons only (bin/test-daemon); stops only the daemons it started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${1:-500}
REPS=${REPS:-3}
PREFIX=${HOSTS_PREFIX:-mh}
OUT=${OUT:-$here/out/$(date -u +%Y%m%dT%H%M%SZ)}
IMAGE=dc-test/busybox:latest
U=http://localhost/v1.41
log() { printf '[multihost] %s\n' "$*" >&2; }
[ "$(id -u)" -eq 0 ] || { log "run as root (private dockerd)"; exit 2; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

names=("${PREFIX}1" "${PREFIX}2" "${PREFIX}3")
started=()
cleanup() {
  for d in "${started[@]}"; do "$root/bin/test-daemon" stop "$d" >&2 || true; done
}
trap cleanup EXIT INT TERM
for d in "${names[@]}"; do
  if [ ! -S "/tmp/dcd/$d/docker.sock" ]; then
    "$root/bin/test-daemon" start "$d" >&2
    started+=("$d")
  fi
  [ -f "/tmp/dcd/$d/.docker-cleaner-test-daemon" ] || { log "$d is not a private test daemon"; exit 2; }
done
[ -f "$root/target/docker-cleaner.jar" ] || (cd "$root" && mvn -B -q package -DskipTests)
"$root/bin/docker-cleaner" version >/dev/null   # the CDS archive, outside the timings
mkdir -p "$OUT"
csv=$OUT/results.csv
echo "n,rep,mode,host,elapsed_s,max_rss_kb,cpu_s,exit" > "$csv"

sock() { echo "/tmp/dcd/$1/docker.sock"; }
# N stopped containers and N/10 dangling images (commits onto one tag), labelled keep=false
fixture() {
  local s; s=$(sock "$1")
  seq 1 "$N" | xargs -P 4 -I{} curl -sS -o /dev/null --fail --unix-socket "$s" \
    -H 'Content-Type: application/json' -X POST "$U/containers/create" \
    -d "{\"Image\":\"$IMAGE\",\"Cmd\":[\"true\"],\"Labels\":{\"keep\":\"false\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}"
  local cid
  cid=$(curl -sS --unix-socket "$s" "$U/containers/json?all=1&limit=1" | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["Id"])')
  for _ in $(seq 0 $(( N / 10 ))); do
    curl -sS -o /dev/null --fail --unix-socket "$s" -H 'Content-Type: application/json' -X POST \
      "$U/commit?container=$cid&repo=dc-bench/dangling&tag=latest" -d '{"Labels":{"keep":"false"}}'
  done
}
left() { curl -sS --unix-socket "$(sock "$1")" "$U/containers/json?all=1" | python3 -c 'import sys,json;print(len(json.load(sys.stdin)))'; }
timed() { # MODE HOST ENV... -- runs bin/docker-cleaner run with ENV, appends a CSV line
  local mode=$1 host=$2; shift 2
  local tf; tf=$(mktemp)
  set +e
  env "$@" PRUNE_FILTER_UNTIL=0 MIN_AGE=0s /usr/bin/time -f '%e %M %U %S' -o "$tf" \
    "$root/bin/docker-cleaner" run > "$OUT/$mode-$host-$rep.log" 2>&1
  local rc=$?
  set -e
  read -r elapsed rss user sys < "$tf"; rm -f "$tf"
  local cpu; cpu=$(python3 -c "print(round($user + $sys, 2))")
  echo "$N,$rep,$mode,$host,$elapsed,$rss,$cpu,$rc" >> "$csv"
  log "rep $rep $mode $host: ${elapsed}s, ${rss} KiB, exit $rc"
}

hosts_value=$(for d in "${names[@]}"; do printf '%s=unix://%s,' "$d" "$(sock "$d")"; done)
hosts_value=${hosts_value%,}
for rep in $(seq 1 "$REPS"); do
  for d in "${names[@]}"; do fixture "$d"; done
  for d in "${names[@]}"; do timed single "$d" DOCKER_HOST="unix://$(sock "$d")"; done
  for d in "${names[@]}"; do [ "$(left "$d")" -eq 0 ] || log "WARNING: $d kept $(left "$d") containers"; done
  for d in "${names[@]}"; do fixture "$d"; done
  timed multi all DOCKER_HOSTS="$hosts_value" HOST_CONCURRENCY=3
  for d in "${names[@]}"; do [ "$(left "$d")" -eq 0 ] || log "WARNING: $d kept $(left "$d") containers"; done
done

python3 - "$csv" > "$OUT/summary.md" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
reps = sorted({r["rep"] for r in rows}, key=int)
print("| rep | slowest single host (s) | sum of the 3 (s) | 3 hosts, HOST_CONCURRENCY=3 (s) | ratio to slowest | ratio to sum | docker-cleaner CPU: 3 singles → 3 hosts (s) | peak RSS single → 3 hosts (MiB) |")
print("|---|---:|---:|---:|---:|---:|---|---|")
ratios = []
for rep in reps:
    single = [r for r in rows if r["rep"] == rep and r["mode"] == "single"]
    multi = [r for r in rows if r["rep"] == rep and r["mode"] == "multi"][0]
    slowest = max(float(r["elapsed_s"]) for r in single)
    ratio = float(multi["elapsed_s"]) / slowest
    ratios.append(ratio)
    total = sum(float(r["elapsed_s"]) for r in single)
    rss = max(int(r["max_rss_kb"]) for r in single) / 1024
    cpu = sum(float(r["cpu_s"]) for r in single)
    print(f"| {rep} | {slowest:.2f} | {total:.2f} | {float(multi['elapsed_s']):.2f} | {ratio:.2f} | {float(multi['elapsed_s']) / total:.2f} | "
          f"{cpu:.1f} → {float(multi['cpu_s']):.1f} | {rss:.0f} → {int(multi['max_rss_kb'])/1024:.0f} |")
print(f"\nmedian ratio {statistics.median(ratios):.2f} (target ≤ 1.3); N = {rows[0]['n']} containers + {int(rows[0]['n'])//10} dangling images per host; "
      f"exit codes {sorted({r['exit'] for r in rows})}")
EOF
cat "$OUT/summary.md"
