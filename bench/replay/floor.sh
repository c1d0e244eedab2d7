#!/bin/sh
# The floor of the forecast's time-to-full error on the synthetic traces (bench/README.md, "Floor"):
# an oracle that knows the generator's parameters and state simulates N futures per evaluation point
# (default 200) and is judged on the replay's own points, next to the agent's forecaster.
# Bench only: nothing of it ships in the agent. Arguments go to TraceBench (--seeds, --first-seed, ...).
set -eu
futures=${FUTURES:-200}
exec "$(dirname "$0")/run.sh" --floor "$futures" "$@"
