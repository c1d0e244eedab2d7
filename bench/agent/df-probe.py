#!/usr/bin/env python3
"""Does GET /system/df (the agent's one listing before a run) slow other clients? On a private
daemon: 100 small images, a probe looping GET /containers/json (5 ms pause) on its own connection,
then 5 times: 2 s idle, one /system/df, one images+containers listing; prints the probe's idle p99
and its slowest call during each. A benchmark, asserts nothing.

  bench/agent/df-probe.py SOCK        (a bin/test-daemon socket; removes the images it made)
"""
import sys, time, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine import Engine, Probe, image_ids, import_images, median, percentile, q
sock = sys.argv[1]
eng = Engine(sock)
import_images(eng, "bench/dfp", 100)
probe = Probe(Engine(sock), gap=0.005); probe.start()
res = []
for rep in range(5):
    t0 = time.monotonic(); time.sleep(2.0); t1 = time.monotonic()
    s = time.monotonic(); eng.json("GET", "/system/df"); e = time.monotonic()
    s2 = time.monotonic(); eng.json("GET", "/images/json?all=1"); eng.json("GET", "/containers/json?all=1"); e2 = time.monotonic()
    idle = probe.between(t0, t1); df = probe.between(s, e); lst = probe.between(s2, e2)
    print(f"df {1000*(e-s):.0f} ms: probe idle p99 {1000*percentile(idle,99):.1f} ms (n={len(idle)}), during df max {1000*max(df) if df else 0:.1f} ms (n={len(df)}), during listing max {1000*max(lst) if lst else 0:.1f} (n={len(lst)})")
probe.stop()
for i in image_ids(eng, "bench/dfp"): eng.call("DELETE", f"/images/{i}?force=1")
