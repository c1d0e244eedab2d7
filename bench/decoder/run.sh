#!/usr/bin/env bash
# Builds and briefly runs the EventDecoder JMH benchmark on one thread.
# Extra arguments go to JMH, e.g. ./run.sh -wi 5 -i 10
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
exec java -jar target/benchmarks.jar EventDecoderBenchmark -wi 2 -i 3 -f 1 -t 1 -w 2s -r 3s "$@"
