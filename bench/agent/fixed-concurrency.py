#!/usr/bin/env python3
"""How the daemon serves N image deletions at a FIXED concurrency (no agent), with the same
GET /containers/json probe as deletion.py. Used to pick the adaptive limiter's shape.

  fixed-concurrency.py SOCK N CONC...     (CONC 0 = one POST /images/prune instead)
e.g. python3 bench/agent/fixed-concurrency.py /tmp/dcd/adel/docker.sock 100 0 1 4 8 16
Private daemons only (bin/test-daemon start NAME); deletes every image of the repo x/del.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine import Engine, Probe, delete_images, image_ids, import_images, median, percentile, q  # noqa: E402

e = Engine(sys.argv[1])
n = int(sys.argv[2])


def clean():
    for i in image_ids(e, "x/del"):
        e.call("DELETE", f"/images/{i}?force=1")


clean()
for conc in [int(c) for c in sys.argv[3:]]:
    t = time.monotonic()
    import_images(e, "x/del", n)
    ti = time.monotonic() - t
    ids = image_ids(e, "x/del")
    p = Probe(Engine(e.sock))
    p.start()
    time.sleep(1.0)
    t0 = time.monotonic()
    if conc == 0:
        e.call("POST", "/images/prune?filters=" + q({"dangling": ["false"], "label!": ["keep=true"]}))
        lat = [0]
    else:
        lat = delete_images(e, ids, conc)
    t1 = time.monotonic()
    time.sleep(1.0)
    p.stop()
    idle = [l for (s, l) in p.samples if s < t0 or s >= t1 + 0.2]
    busy = p.between(t0, t1)
    print(f"conc={conc:2d} import={ti:.1f}s total={t1 - t0:.2f}s latency median={median(lat) * 1000:.0f}ms "
          f"min={min(lat) * 1000:.0f} max={max(lat) * 1000:.0f} | probe idle p50={median(idle) * 1000:.1f} "
          f"p99={percentile(idle, 99) * 1000:.1f} n={len(idle)}; during p50={median(busy) * 1000:.1f} "
          f"p99={percentile(busy, 99) * 1000:.1f} n={len(busy)}; load {os.getloadavg()[0]:.1f}", flush=True)
    clean()
