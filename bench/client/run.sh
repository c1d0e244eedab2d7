#!/usr/bin/env bash
# Client latency: N sequential calls of GET /system/df, /containers/json?all=1, /images/json
# through docker-cleaner's client vs curl --unix-socket, against a private daemon.
#   bench/client/run.sh [N]          (as root; BENCH_DAEMON=name picks the daemon, default clibench)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200}
NAME=${BENCH_DAEMON:-clibench}
bin_dir=bin
[ -x "$bin_dir/test-daemon" ] || bin_dir=/work/main/bin
"$bin_dir/test-daemon" start "$NAME" >/dev/null
SOCK=/tmp/dcd/$NAME/docker.sock
export DOCKER_HOST=unix://$SOCK
D=/usr/bin/docker

# Some objects, so the answers are not trivially empty (idempotent: labelled, created once).
if [ "$($D ps -aq --filter label=dc-bench=1 | wc -l)" -lt 20 ]; then
  for i in $(seq 1 20); do $D create --label dc-bench=1 dc-test/busybox:latest true >/dev/null; done
  for i in $(seq 1 10); do $D volume create --label dc-bench=1 >/dev/null; done
  for i in $(seq 1 5); do
    printf 'FROM dc-test/busybox:latest\nLABEL dc-bench=1\nRUN echo %s > /f\n' "$i" \
      | DOCKER_BUILDKIT=0 $D build -q -t "dc-bench/img:$i" - >/dev/null
  done
fi
echo "# daemon $DOCKER_HOST: $($D ps -aq | wc -l) containers, $($D images -q | wc -l) images, $($D volume ls -q | wc -l) volumes"

mvn -B -q -o compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null 2>&1
CP="target/classes:$(cat target/bench-classpath.txt)"
API=$(curl -s --unix-socket "$SOCK" http://localhost/version | sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p')

echo "== docker-cleaner client (N=$N per endpoint, after warm-up)"
client_out=$(java -cp "$CP" -Dlogback.configurationFile=bench/client/logback.xml \
  bench/client/ClientLatency.java "$DOCKER_HOST" "$N")
echo "$client_out"
client_ms=$(echo "$client_out" | awk '/^client-total-ms/ {print $2}')

PATHS=(/system/df '/containers/json?all=1' /images/json)
urls() { for i in $(seq 1 "$N"); do echo "url = http://localhost/v$API$1"; done; }
ms() { date +%s%N; }

echo "== curl --unix-socket, one process, one kept-alive connection, N sequential calls per endpoint"
curl_keep_ms=0
for p in "${PATHS[@]}"; do
  urls "$p" | head -n 50 | curl -s --unix-socket "$SOCK" -K - >/dev/null # warm-up, like the client's
  t0=$(ms)
  urls "$p" | curl -s --unix-socket "$SOCK" -K - >/dev/null
  t=$(( ($(ms) - t0) / 1000 ))
  curl_keep_ms=$(( curl_keep_ms + t ))
  awk -v p="GET $p" -v t="$t" -v n="$N" 'BEGIN { printf "%-28s total %8.1f ms  mean %6.3f ms\n", p, t / 1000, t / 1000 / n }'
done
curl_keep_ms=$(awk -v t="$curl_keep_ms" 'BEGIN { printf "%.1f", t / 1000 }')
echo "curl-keepalive-total-ms $curl_keep_ms"

echo "== curl --unix-socket, one process per call (what a shell script would do), N per endpoint"
t0=$(ms)
for p in "${PATHS[@]}"; do
  for i in $(seq 1 "$N"); do curl -s -o /dev/null --unix-socket "$SOCK" "http://localhost/v$API$p"; done
done
curl_proc_ms=$(( ($(ms) - t0) / 1000000 ))
echo "curl-per-call-total-ms $curl_proc_ms"

echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
awk -v c="$client_ms" -v p="$curl_proc_ms" -v k="$curl_keep_ms" 'BEGIN {
  printf "ratio client/curl-keepalive %.2f, client/curl-per-call %.2f\n", c / k, c / p }'
