"""Small Docker Engine API helpers for bench/agent (stdlib only; private daemons' unix sockets).

Used by deletion.py. Nothing here sends traffic anywhere but the given unix socket.
"""
import http.client
import io
import json
import os
import socket
import tarfile
import threading
import time
import urllib.parse


class UnixConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a unix socket, kept alive between requests."""

    def __init__(self, path, timeout=300):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class Engine:
    """One keep-alive connection per thread to the daemon at `sock`."""

    def __init__(self, sock):
        self.sock = sock
        self.local = threading.local()

    def _conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = UnixConnection(self.sock)
        return c

    def call(self, method, path, body=None, headers=None):
        """Returns (status, body bytes). Reconnects once if the kept-alive connection was closed."""
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path, body=body, headers=headers or {})
                r = c.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                c.close()
                self.local.conn = None
                if attempt:
                    raise

    def json(self, method, path):
        status, body = self.call(method, path)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {body[:200]!r}")
        return json.loads(body) if body else None


def q(filters):
    return urllib.parse.quote(json.dumps(filters))


def image_ids(engine, repo):
    return [i["Id"] for i in engine.json("GET", "/images/json?filters=" + q({"reference": [repo]}))]


def import_images(engine, repo, n, parallel=4):
    """n small unique images repo:1..n (a one-file rootfs each, label keep=false), `parallel` at a time."""
    def one(i):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            data = os.urandom(65536)
            info = tarfile.TarInfo("blob")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        path = (f"/images/create?fromSrc=-&repo={urllib.parse.quote(repo)}&tag={i}"
                f"&changes={urllib.parse.quote('LABEL keep=false')}")
        status, body = engine.call("POST", path, body=buf.getvalue(), headers={"Content-Type": "application/x-tar"})
        if status >= 300:
            raise RuntimeError(f"import {repo}:{i}: {status} {body[:200]!r}")
    run_parallel(list(range(1, n + 1)), one, parallel)


def run_parallel(items, fn, parallel):
    """fn(item) for every item with `parallel` worker threads; re-raises the first error."""
    it = iter(items)
    lock = threading.Lock()
    errors = []

    def worker():
        while True:
            with lock:
                try:
                    x = next(it)
                except StopIteration:
                    return
            try:
                fn(x)
            except Exception as e:  # noqa: BLE001 - reported after the join
                errors.append(e)
                return

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def delete_images(engine, ids, parallel):
    """DELETE /images/{id} with `parallel` in flight; returns per-call latencies (s)."""
    lat = []

    def one(i):
        t = time.monotonic()
        status, body = engine.call("DELETE", f"/images/{i}")
        lat.append(time.monotonic() - t)
        if status >= 300:
            raise RuntimeError(f"DELETE {i}: {status} {body[:200]!r}")
    run_parallel(ids, one, parallel)
    return lat


class Probe(threading.Thread):
    """GET `path` in a loop on its own connection (a pause of `gap` s between calls), recording
    (start, latency) pairs until stopped."""

    def __init__(self, engine, path="/containers/json", gap=0.02):
        super().__init__(daemon=True)
        self.engine, self.path, self.gap = engine, path, gap
        self.samples = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            t = time.monotonic()
            self.engine.call("GET", self.path)
            self.samples.append((t, time.monotonic() - t))
            self.stopped.wait(self.gap)

    def stop(self):
        self.stopped.set()
        self.join()

    def between(self, t0, t1):
        return [lat for (t, lat) in self.samples if t0 <= t < t1]


def percentile(xs, p):
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def median(xs):
    s = sorted(xs)
    n = len(s)
    return float("nan") if n == 0 else (s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2)
