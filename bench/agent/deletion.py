#!/usr/bin/env python3
"""Deleting N unused images three ways on one private daemon, REPS times (order rotated each time),
with a probe measuring a concurrent GET /containers/json while each one deletes.

  deletion.py SOCK LAUNCHER N REPS DELETE_CONCURRENCY     (METHODS="agent prune sequential" by default)

  agent       a budgeted run of the real agent (bin/docker-cleaner agent, POST /v1/runs
              {"types":["image"]}): "run" is the run record's startedAt → finishedAt (inventory,
              plan, deletions, measurements), "wall" POST → finished seen by polling every 20 ms
  prune       one POST /images/prune (dangling=false, label!=keep=true: the same N images)
  sequential  N DELETE /images/{id}, one at a time, one kept-alive connection

Probe: GET /containers/json in a loop on its own connection (10 ms between calls); "idle" is the
3 s before a method starts, "busy" the time it deletes (same repetition). Prints one line per
measurement and a summary with medians (RAW_OUT=FILE also writes every window's probe samples as
JSON); asserts nothing (a benchmark, not a test).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine import Engine, Probe, image_ids, import_images, median, percentile, q  # noqa: E402

sock, launcher, n, reps, conc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
REPO = "bench/del"
IDLE_S = 3.0
eng = Engine(sock)


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def reset():
    """Removes every image but the keep=true test image (and every container)."""
    for c in eng.json("GET", "/containers/json?all=1"):
        eng.call("DELETE", f"/containers/{c['Id']}?force=1")
    for i in eng.json("GET", "/images/json"):
        if (i.get("Labels") or {}).get("keep") != "true":
            eng.call("DELETE", f"/images/{i['Id']}?force=1")


def fixture():
    reset()
    t = time.monotonic()
    import_images(eng, REPO, n)
    ids = image_ids(eng, REPO)
    assert len(ids) == n, f"{len(ids)} images imported, wanted {n}"
    log(f"fixture: {n} images in {time.monotonic() - t:.1f} s")
    return ids


def cpu_ms(pid):
    """User + system CPU time of process PID so far, in ms (/proc/PID/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return float("nan")


def thread_cpu_ms(pid):
    """CPU ms per thread name of process PID (threads of one name summed)."""
    out = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    raw = f.read()
                name = raw[raw.index("(") + 1:raw.rindex(")")]
                fields = raw.rsplit(")", 1)[1].split()
                # THREAD_CPU=sys: kernel time only (syscalls: socket, epoll, file writes)
                ticks = int(fields[12]) if os.environ.get("THREAD_CPU") == "sys" else int(fields[11]) + int(fields[12])
                out[name] = out.get(name, 0) + ticks * 1000 / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    return out


def dockerd_pid():
    try:
        with open(os.path.join(os.path.dirname(sock), "dockerd.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Agent:
    def __init__(self):
        self.state = tempfile.mkdtemp(prefix="dcbench-")
        self.port = free_port()
        env = dict(os.environ, DOCKER_HOST=f"unix://{sock}", STATE_DIR=self.state, API_TOKEN="bench-token",
                   HTTP_LISTEN=f"127.0.0.1:{self.port}", MIN_AGE="0s", QUIET_PERIOD="0s",
                   DELETE_CONCURRENCY=conc, CLEANUP_CONTAINERS="false", CLEANUP_BUILD_CACHE="false",
                   LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "DEBUG"), LOG_FORMAT="json")
        self.log_path = os.path.join(self.state, "agent.log")
        self.proc = subprocess.Popen([launcher, "agent"], env=env, stdout=open(self.log_path, "w"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"agent did not start; see {self.log_path}")
                time.sleep(0.1)

    def run_images(self):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/v1/runs", data=b'{"types":["image"]}',
                                     headers={"Authorization": "Bearer bench-token",
                                              "Content-Type": "application/json"})
        t0 = time.monotonic()
        run_id = json.load(urllib.request.urlopen(req))["runId"]
        # The end of the run is seen in the agent's log (read every 5 ms), not by polling the
        # agent's API: polling made the agent accept a connection and serialise the run record
        # every 20 ms, CPU that competed with the deletions and the probe.
        done = f'"Run {run_id} '
        with open(self.log_path) as f:
            while True:
                line = f.readline()
                if not line:
                    time.sleep(0.005)
                    continue
                if done in line and "started" not in line:
                    break
        t1 = time.monotonic()
        body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/runs/{run_id}"))
        p = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
        run_s = (p(body["finishedAt"]) - p(body["startedAt"])).total_seconds()
        return t0, t1, run_s, body

    def adaptive_line(self):
        last = None
        with open(self.log_path) as f:
            for line in f:
                if "adaptive concurrency" in line:
                    last = json.loads(line)
        return last

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        if not os.environ.get("KEEP_AGENT_STATE"):
            shutil.rmtree(self.state, ignore_errors=True)


def measure(method, agent):
    ids = fixture()
    probe = Probe(Engine(sock), "/containers/json", gap=0.01)
    probe.start()
    time.sleep(IDLE_S)
    extra = ""
    dpid = dockerd_pid()
    threads0 = thread_cpu_ms(agent.proc.pid) if agent and os.environ.get("THREAD_CPU") else {}
    cpu0 = (cpu_ms(dpid) if dpid else float("nan"), cpu_ms(agent.proc.pid) if agent else float("nan"))
    if method == "agent":
        t0, t1, run_s, body = agent.run_images()
        line = agent.adaptive_line()
        extra = (f" (run record {run_s * 1000:.0f} ms, removed {body['removed']}, outcome {body['outcome']}"
                 + (f"; peak concurrency {line['peak_concurrency']}, final {line['final_concurrency']}, knee {line.get('knee_concurrency', '-')}" if line else "")
                 + ")")
        seconds = run_s
    elif method == "prune":
        t0 = time.monotonic()
        status, _ = eng.call("POST", "/images/prune?filters=" + q({"dangling": ["false"], "label!": ["keep=true"]}))
        t1 = time.monotonic()
        assert status == 200, status
        seconds = t1 - t0
    else:
        t0 = time.monotonic()
        for i in ids:
            eng.call("DELETE", f"/images/{i}")
        t1 = time.monotonic()
        seconds = t1 - t0
    cpu1 = (cpu_ms(dpid) if dpid else float("nan"), cpu_ms(agent.proc.pid) if agent else float("nan"))
    probe.stop()
    if threads0:
        threads1 = thread_cpu_ms(agent.proc.pid)
        busy_threads = sorted(((threads1[k] - threads0.get(k, 0), k) for k in threads1), reverse=True)
        log("agent JVM CPU by thread (ms): " + ", ".join(f"{k}={v:.0f}" for v, k in busy_threads if v > 0))
    extra += f"; CPU dockerd {cpu1[0] - cpu0[0]:.0f} ms, agent JVM {cpu1[1] - cpu0[1]:.0f} ms"
    left = len(image_ids(eng, REPO))
    idle = [lat for (t, lat) in probe.samples if t < t0]
    busy = probe.between(t0, t1)
    if os.environ.get("SLOW_PROBES"):
        slow = [(t - t0, lat) for (t, lat) in probe.samples if t >= t0 and t < t1 and lat > 3 * percentile(idle, 99)]
        log(f"{method}: slow probes (s after start, ms): " + ", ".join(f"{o:.2f}:{lat * 1000:.0f}" for o, lat in slow))
    r = dict(method=method, seconds=seconds, wall=t1 - t0, left=left,
             idle_p50=median(idle), idle_p99=percentile(idle, 99), busy_p50=median(busy),
             busy_p99=percentile(busy, 99), idle_n=len(idle), busy_n=len(busy), idle=idle, busy=busy)
    log(f"{method}: {seconds * 1000:.0f} ms (wall {r['wall'] * 1000:.0f} ms), {left} left{extra}; "
        f"GET /containers/json p50/p99 idle {r['idle_p50'] * 1000:.1f}/{r['idle_p99'] * 1000:.1f} ms (n={len(idle)}), "
        f"during {r['busy_p50'] * 1000:.1f}/{r['busy_p99'] * 1000:.1f} ms (n={len(busy)}); "
        f"p99 ratio {r['busy_p99'] / r['idle_p99']:.2f}; load {os.getloadavg()[0]:.1f}")
    return r


methods = os.environ.get("METHODS", "agent prune sequential").split()
agent = Agent() if "agent" in methods else None
results = []
loads = []
try:
    for rep in range(reps):
        k = rep % len(methods)
        order = methods[k:] + methods[:k]
        for m in order:
            loads.append(os.getloadavg()[0])
            results.append(measure(m, agent))
finally:
    if agent:
        agent.stop()
    reset()

if os.environ.get("RAW_OUT"):
    # every window's probe samples (seconds), in measurement order, for analyses that pool windows
    with open(os.environ["RAW_OUT"], "w") as f:
        json.dump([dict(method=r["method"], seconds=r["seconds"], idle=r["idle"], busy=r["busy"]) for r in results], f)
print(f"N={n} images, DELETE_CONCURRENCY={conc}, {reps} repetitions, load average (1 min) during the runs "
      f"{min(loads):.1f}–{max(loads):.1f}")
med = {}
for m in methods:
    rs = [r for r in results if r["method"] == m]
    med[m] = median([r["seconds"] for r in rs])
    ratios = [r["busy_p99"] / r["idle_p99"] for r in rs]
    print(f"  {m:10s} median {med[m] * 1000:6.0f} ms  runs " + " / ".join(f"{r['seconds'] * 1000:.0f}" for r in rs)
          + "  probe p99 idle→during (ms) " + " / ".join(f"{r['idle_p99'] * 1000:.1f}→{r['busy_p99'] * 1000:.1f}" for r in rs)
          + f"  p99 ratio median {median(ratios):.2f}")
    # One window holds 35-250 probe calls, so its "p99" is its slowest call or two; pooling the
    # windows of all repetitions gives a p99 that rests on more calls.
    idle_all = [x for r in rs for x in r["idle"]]
    busy_all = [x for r in rs for x in r["busy"]]
    print(f"  {'':10s} pooled over the repetitions: probe p99 idle {percentile(idle_all, 99) * 1000:.1f} ms "
          f"(n={len(idle_all)}) → during {percentile(busy_all, 99) * 1000:.1f} ms (n={len(busy_all)}), "
          f"ratio {percentile(busy_all, 99) / percentile(idle_all, 99):.2f}")
if {"agent", "prune", "sequential"} <= set(med):
    print(f"  agent/prune {med['agent'] / med['prune']:.2f}, agent/sequential {med['agent'] / med['sequential']:.2f}")
