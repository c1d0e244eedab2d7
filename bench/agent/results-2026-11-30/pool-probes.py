#!/usr/bin/env python3
"""Pools the probe samples of an A/B's RAW_OUT files (DIR/PREFIX-SIDE<round>.json) per side: the first agent run of each fresh agent, its later (warm) runs, and the prune windows.
A window holds 40-60 probe calls while deleting, so its own p99 is its slowest call; pooling the
windows of all rounds gives a p99 that rests on several calls.

  pool-probes.py DIR [PREFIX SIDE...]     (default: rehearsal new old, as rehearsal-ab.sh writes)
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from engine import median, percentile  # noqa: E402

d = sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else "rehearsal"
for side in (sys.argv[3:] or ["new", "old"]):
    groups = {"first agent run": [], "later agent runs": [], "prune": []}
    idle = []
    per_window = {k: [] for k in groups}
    secs = {k: [] for k in groups}
    for path in sorted(glob.glob(os.path.join(d, f"{prefix}-{side}[0-9]*.json"))):
        seen_agent = False
        for w in json.load(open(path)):
            if w["method"] == "agent":
                key = "later agent runs" if seen_agent else "first agent run"
                seen_agent = True
            else:
                key = w["method"]
            idle += w["idle"]
            groups[key] += w["busy"]
            per_window[key].append(percentile(w["busy"], 99) / percentile(w["idle"], 99))
            secs[key].append(w["seconds"])
    ip99 = percentile(idle, 99)
    print(f"{side}: idle p99 {ip99 * 1000:.2f} ms (n={len(idle)})")
    for k, busy in groups.items():
        if not busy:
            continue
        print(f"  {k:17s} windows {len(per_window[k]):2d}, median {median(secs[k]) * 1000:4.0f} ms; "
              f"pooled p99 {percentile(busy, 99) * 1000:5.2f} ms (n={len(busy)}) ratio {percentile(busy, 99) / ip99:.2f}, "
              f"p95 ratio {percentile(busy, 95) / percentile(idle, 95):.2f}; per-window p99 ratio median "
              f"{median(per_window[k]):.2f}, above 3x in {sum(r > 3 for r in per_window[k])}")
