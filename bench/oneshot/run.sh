#!/usr/bin/env bash
# One-shot cleanup benchmark: docker-cleaner `run` against `docker system prune -f`, the same prune
# calls by curl, and Debian's docker-clean script, on a private daemon (never the host's).
#
#   bench/oneshot/run.sh [N ...]        (as root; default N = 0 100 1000)
#   bench/oneshot/run.sh --trace [N]    every HTTP request of docker-cleaner and of the Go CLI on one
#                                       fixture of N (default 1000), via trace-proxy.py
#
# For each N and each repetition, every tool gets a fresh fixture of N stopped (created, never
# started) containers, N/10 dangling images and N/20 unused networks; tools alternate within a
# repetition and the order rotates between repetitions. Each timed command runs under
# /usr/bin/time (elapsed seconds, peak RSS). Results: $OUT/results.csv and $OUT/summary.md.
#
# Environment:
#   BENCH_DAEMON  private daemon name for bin/test-daemon (default bo)
#   REPS          repetitions per N and tool (default 3)
#   TOOLS         space-separated subset of: cleaner cleaner-c2 cleaner-nocds docker curl docker-clean
#                 (default: all; cleaner-c2 adds -XX:TieredStopAtLevel=4, i.e. C2 back on;
#                 cleaner-nocds adds -Xshare:off, i.e. neither the app CDS archive nor the JDK's)
#   OUT           output folder (default bench/oneshot/out/<UTC timestamp>)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DAEMON=${BENCH_DAEMON:-bo}
REPS=${REPS:-3}
TOOLS=${TOOLS:-"cleaner cleaner-c2 cleaner-nocds docker curl docker-clean"}
OUT=${OUT:-$here/out/$(date -u +%Y%m%dT%H%M%SZ)}
NS=("$@"); [ ${#NS[@]} -gt 0 ] || NS=(0 100 1000)
[ "${1:-}" != --trace ] || NS=()
DOCKER=/usr/bin/docker          # Debian's Go CLI (the newer one earlier on PATH is not Debian's)
IMAGE=dc-test/busybox:latest
DANGLING_REPO=dc-bench/dangling
U=http://localhost/v1.41

log() { printf '[oneshot] %s\n' "$*" >&2; }
die() { printf '[oneshot] ERROR: %s\n' "$*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "run as root (private dockerd)"

"$root/bin/test-daemon" start "$DAEMON" >/dev/null
SOCK=/tmp/dcd/$DAEMON/docker.sock
[ -S "$SOCK" ] && [ -f "/tmp/dcd/$DAEMON/.docker-cleaner-test-daemon" ] || die "no private daemon at $SOCK"
export DOCKER_HOST=unix://$SOCK

[ -x /usr/bin/time ] || { log "installing time"; apt-get install -y -qq time >/dev/null; }
if [[ " $TOOLS " == *" docker-clean "* ]] && ! command -v docker-clean >/dev/null; then
  log "installing Debian's docker-clean"
  apt-get install -y -qq docker-clean >/dev/null 2>&1 || { log "docker-clean not installable: skipped"; TOOLS=${TOOLS//docker-clean/}; }
fi
if [ ! -f "$root/target/docker-cleaner.jar" ]; then
  log "building the jar"; (cd "$root" && mvn -B -q package -DskipTests)
fi
"$root/bin/docker-cleaner" version >/dev/null   # creates the CDS archive outside the timings
mkdir -p "$OUT"
CSV=$OUT/results.csv
echo "n,rep,tool,elapsed_s,max_rss_kb,left_containers,left_dangling,left_networks" >"$CSV"

api() { curl -sS --unix-socket "$SOCK" "$@"; }
urlenc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$1"; }
F_BENCH=$(urlenc '{"label":{"dc-bench=1":true}}')
F_DANGLING=$(urlenc '{"dangling":{"true":true}}')
F_KEEP=$(urlenc '{"label!":{"keep=true":true}}')                     # docker-cleaner's default label filter
F_KEEP_DANGLING=$(urlenc '{"label!":{"keep=true":true},"dangling":{"true":true}}')
export SOCK U F_KEEP F_KEEP_DANGLING

count() { api "$1" | python3 -c 'import sys,json;print(len(json.load(sys.stdin) or []))'; }
left_containers() { count "$U/containers/json?all=1&filters=$F_BENCH"; }
left_dangling() { count "$U/images/json?filters=$F_DANGLING"; }
left_networks() { count "$U/networks?filters=$F_BENCH"; }

# Removes everything a fixture made (whatever the tool left), so each run starts from the same state.
reset_daemon() {
  api -o /dev/null -X POST "$U/containers/prune?filters=$F_BENCH"
  api -o /dev/null -X DELETE "$U/images/$DANGLING_REPO:latest?force=1" || true
  api -o /dev/null -X POST "$U/images/prune?filters=$F_DANGLING"
  api -o /dev/null -X POST "$U/networks/prune?filters=$F_BENCH"
  api -o /dev/null -X POST "$U/build/prune?all=1"
}

# N stopped containers, N/10 dangling images (commits onto one tag; each new commit leaves the
# previous image untagged), N/20 unused networks. All labelled keep=false, dc-bench=1.
make_fixture() {
  local n=$1 images=$(( $1 / 10 )) networks=$(( $1 / 20 ))
  [ "$n" -gt 0 ] || return 0
  seq 1 "$n" | xargs -P 4 -I{} curl -sS -o /dev/null --fail --unix-socket "$SOCK" \
    -H 'Content-Type: application/json' -X POST "$U/containers/create" \
    -d "{\"Image\":\"$IMAGE\",\"Cmd\":[\"true\"],\"Labels\":{\"keep\":\"false\",\"dc-bench\":\"1\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}"
  local cid
  cid=$(api "$U/containers/json?all=1&limit=1&filters=$F_BENCH" | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["Id"])')
  if [ "$images" -gt 0 ]; then
    # sequential: each commit must untag the previous one; images+1 commits leave `images` dangling
    for _ in $(seq 0 "$images"); do
      api -o /dev/null --fail -H 'Content-Type: application/json' -X POST \
        "$U/commit?container=$cid&repo=$DANGLING_REPO&tag=latest" \
        -d '{"Cmd":["true"],"Labels":{"keep":"false","dc-bench":"1"}}'
    done
  fi
  if [ "$networks" -gt 0 ]; then
    # Every dockerd here shares the host's network namespace, and Docker's default address pools
    # hold only about 30 bridge networks for all of them: give each network its own /28 from the
    # benchmarking range 198.18.0.0/15 (RFC 2544) and inhibit the bridge's IPv4 address, so
    # no route is added on the host and no pool is used up.
    for i in $(seq 0 $(( networks - 1 ))); do
      echo "$i 198.18.$(( i / 16 )).$(( (i % 16) * 16 ))/28"
    done | xargs -P 4 -L 1 sh -c 'curl -sS -o /dev/null --fail --unix-socket "$SOCK" \
      -H "Content-Type: application/json" -X POST "$U/networks/create" \
      -d "{\"Name\":\"dc-bench-$0\",\"Labels\":{\"keep\":\"false\",\"dc-bench\":\"1\"},\"Options\":{\"com.docker.network.bridge.inhibit_ipv4\":\"true\"},\"IPAM\":{\"Config\":[{\"Subnet\":\"$1\"}]}}"'
  fi
  local c d w
  c=$(left_containers); d=$(left_dangling); w=$(left_networks)
  [ "$c" -eq "$n" ] && [ "$d" -eq "$images" ] && [ "$w" -eq "$networks" ] \
    || die "fixture N=$n has $c containers, $d dangling images, $w networks (want $n, $images, $networks)"
}

# The same four prune calls docker-cleaner makes (containers, images, networks, build cache),
# one curl process each, with docker-cleaner's default filters.
curl_prune() {
  curl -sS -o /dev/null --unix-socket "$SOCK" -X POST "$U/containers/prune?filters=$F_KEEP"
  curl -sS -o /dev/null --unix-socket "$SOCK" -X POST "$U/images/prune?filters=$F_KEEP_DANGLING"
  curl -sS -o /dev/null --unix-socket "$SOCK" -X POST "$U/networks/prune?filters=$F_KEEP"
  curl -sS -o /dev/null --unix-socket "$SOCK" -X POST "$U/build/prune"
}
export -f curl_prune

tool_cmd() {
  case $1 in
    cleaner)       echo env PRUNE_FILTER_UNTIL=0 MIN_AGE=0s "$root/bin/docker-cleaner" run ;;
    cleaner-c2)    echo env PRUNE_FILTER_UNTIL=0 MIN_AGE=0s DOCKER_CLEANER_JAVA_OPTS=-XX:TieredStopAtLevel=4 "$root/bin/docker-cleaner" run ;;
    cleaner-nocds) echo env PRUNE_FILTER_UNTIL=0 MIN_AGE=0s DOCKER_CLEANER_JAVA_OPTS=-Xshare:off "$root/bin/docker-cleaner" run ;;
    docker)        echo "$DOCKER" system prune -f ;;
    curl)          echo bash -c curl_prune ;;
    # docker-clean calls `docker` from PATH: put Debian's client first; `run` = stopped containers,
    # untagged images, dangling volumes, empty networks
    docker-clean)  echo env PATH=/usr/bin:$PATH docker-clean run ;;
    *) die "unknown tool $1" ;;
  esac
}

timed() {  # timed TAG CMD... -> prints "elapsed_s max_rss_kb"
  local tag=$1; shift
  /usr/bin/time -f '%e %M' -o "$OUT/$tag.time" "$@" >"$OUT/$tag.log" 2>&1 || { log "$tag failed: see $OUT/$tag.log"; }
  tail -1 "$OUT/$tag.time"
}

# --trace N: one fixture per tool (cleaner, docker), run through bench/oneshot/trace-proxy.py;
# prints each HTTP request with its start offset and duration (ms). Not a timing run: the proxy
# adds latency to every call.
if [ "${1:-}" = --trace ]; then
  n=${2:-1000}
  for tool in cleaner docker; do
    reset_daemon; make_fixture "$n"; sync; sleep 1
    psock=$OUT/proxy.sock; rm -f "$psock"
    python3 "$here/trace-proxy.py" "$psock" "$SOCK" "$OUT/trace-n$n-$tool.txt" & ppid=$!
    for _ in $(seq 50); do [ -S "$psock" ] && break; sleep 0.1; done
    read -ra cmd <<<"$(tool_cmd "$tool")"
    DOCKER_HOST=unix://$psock LOG_FORMAT=json timed "trace-n$n-$tool" "${cmd[@]}" >/dev/null
    kill -TERM "$ppid"; wait "$ppid" || true
    echo "== $tool, N=$n: start_ms duration_ms connection request"
    cat "$OUT/trace-n$n-$tool.txt"
  done
  reset_daemon
  exit 0
fi

# JVM start: `docker-cleaner version` (no daemon contact), default flags and the two variants.
log "JVM start (docker-cleaner version), $REPS x 3 variants"
echo "variant,rep,elapsed_s,max_rss_kb" >"$OUT/jvm-start.csv"
for rep in $(seq 1 "$REPS"); do
  for v in default c2 nocds; do
    case $v in default) o="";; c2) o=-XX:TieredStopAtLevel=4;; nocds) o=-Xshare:off;; esac
    r=$(timed "version-$v-$rep" env DOCKER_CLEANER_JAVA_OPTS="$o" "$root/bin/docker-cleaner" version)
    echo "$v,$rep,${r// /,}" >>"$OUT/jvm-start.csv"
  done
done

read -ra tools <<<"$TOOLS"
for n in "${NS[@]}"; do
  for rep in $(seq 1 "$REPS"); do
    for i in "${!tools[@]}"; do
      tool=${tools[$(( (i + rep - 1) % ${#tools[@]} ))]}   # rotate the order each repetition
      reset_daemon
      make_fixture "$n"
      sync; sleep 1   # let dockerd settle (layer writes) before timing
      read -ra cmd <<<"$(tool_cmd "$tool")"
      r=$(timed "n$n-$tool-$rep" "${cmd[@]}")
      lc=$(left_containers); ld=$(left_dangling); lw=$(left_networks)
      echo "$n,$rep,$tool,${r// /,},$lc,$ld,$lw" >>"$CSV"
      log "N=$n rep $rep $tool: ${r%% *} s, peak RSS ${r##* } KB, left $lc/$ld/$lw"
    done
  done
done
reset_daemon

python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import csv, statistics, sys, collections
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/results.csv")))
jvm = list(csv.DictReader(open(f"{out}/jvm-start.csv")))
t = collections.defaultdict(list); rss = collections.defaultdict(list); left = collections.defaultdict(int)
for r in rows:
    k = (int(r["n"]), r["tool"])
    t[k].append(float(r["elapsed_s"])); rss[k].append(int(r["max_rss_kb"]))
    left[k] = max(left[k], int(r["left_containers"]) + int(r["left_dangling"]) + int(r["left_networks"]))
ns = sorted({k[0] for k in t}); tools = list(dict.fromkeys(r["tool"] for r in rows))
print("| N | tool | median s | runs (s) | ratio to docker CLI | peak RSS median (MiB) | objects left (max) |")
print("|---:|---|---:|---|---:|---:|---:|")
for n in ns:
    base = statistics.median(t[(n, "docker")]) if (n, "docker") in t else None
    for tool in tools:
        if (n, tool) not in t: continue
        m = statistics.median(t[(n, tool)])
        ratio = f"{m / base:.2f}" if base else "-"
        print(f"| {n:,} | {tool} | {m:.2f} | {' / '.join(f'{x:.2f}' for x in t[(n, tool)])} | {ratio} | "
              f"{statistics.median(rss[(n, tool)]) / 1024:.0f} | {left[(n, tool)]} |")
print()
print("| `docker-cleaner version` | median s | runs (s) | peak RSS median (MiB) |")
print("|---|---:|---|---:|")
jt = collections.defaultdict(list); jr = collections.defaultdict(list)
for r in jvm:
    jt[r["variant"]].append(float(r["elapsed_s"])); jr[r["variant"]].append(int(r["max_rss_kb"]))
for v in jt:
    print(f"| {v} | {statistics.median(jt[v]):.2f} | {' / '.join(f'{x:.2f}' for x in jt[v])} | {statistics.median(jr[v]) / 1024:.0f} |")
PY
log "results in $OUT"
