#!/bin/sh
# Cleanup policies on replayed synthetic CI traces (bench/README.md). Writes the traces to
# bench/replay/traces/ (git-ignored; regenerate any time: deterministic per seed) and prints the table.
# Arguments go to TraceBench: --seeds N (12), --days D (14), --out DIR; --floor N: see floor.sh;
# --horizons: the forecast judged with horizon caps (the trace-end censoring check, bench/README.md).
set -eu
cd "$(dirname "$0")/../.."
mvn -B -q -o compile
cp=$(mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=/dev/stdout)
exec java -cp "target/classes:$cp" bench/replay/TraceBench.java "$@"
