#!/bin/sh
# Builds and briefly runs the planner benchmark. Extra arguments go to JMH
# (e.g. ./run.sh -p objects=100000). Results: ms per Planner.plan call.
set -eu
cd "$(dirname "$0")"
mvn -B -q package
# a fixed heap keeps heap resizing out of the numbers
exec java -jar target/benchmarks.jar -wi 2 -i 3 -f 1 -w 2s -r 2s -jvmArgs "-Xms1g -Xmx1g" "$@"
