#!/bin/bash
# Live set of a running agent after a full GC (jcmd GC.class_histogram forces one), every 10 min, with
# the counts of the bounded structures that grow until full: bench/soak/live-set.sh AGENT_PID OUT.csv
pid=$1; out=$2
echo "utc,live_bytes,instances,loghub_lines,plansteps,itemresults" > "$out"
while kill -0 "$pid" 2>/dev/null; do
  h=$(jcmd "$pid" GC.class_histogram 2>/dev/null)
  total=$(awk '/^Total/ {print $3","$2}' <<< "$h")
  lh=$(awk '$4 ~ /LogHub\$Line$/ {print $2}' <<< "$h"); ps=$(awk '$4 ~ /plan.PlanStep$/ {print $2}' <<< "$h"); ir=$(awk '$4 ~ /exec.ItemResult$/ {print $2}' <<< "$h")
  echo "$(date -u +%H:%M:%S),$total,${lh:-0},${ps:-0},${ir:-0}" >> "$out"
  sleep 600
done
