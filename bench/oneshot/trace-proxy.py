#!/usr/bin/env python3
"""Unix-socket proxy that timestamps each HTTP request to dockerd and when its response ended.

  trace-proxy.py LISTEN_SOCK DAEMON_SOCK LOG_FILE

Writes one line per request: start offset (ms, from the first request), duration (ms: request's
first byte to the last response byte before the next request or close), connection number, and
the request line. Good enough for keep-alive HTTP/1.1 without pipelining (what docker-cleaner and
the Go CLI send). Stops on SIGTERM.
"""
import asyncio, os, sys, time

listen, upstream, log_path = sys.argv[1:4]
events = []          # [conn, start, end, request line]
t0 = None
conn_seq = 0


async def pump(reader, writer, conn, to_daemon):
    global t0
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            now = time.monotonic()
            if to_daemon:
                if data[:4] in (b"GET ", b"POST", b"DELE", b"HEAD", b"PUT "):
                    t0 = t0 or now
                    events.append([conn, now, now, data.split(b"\r\n", 1)[0].decode(errors="replace")])
            else:
                for e in reversed(events):
                    if e[0] == conn:
                        e[2] = now
                        break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_r, client_w):
    global conn_seq
    conn_seq += 1
    conn = conn_seq
    daemon_r, daemon_w = await asyncio.open_unix_connection(upstream)
    await asyncio.gather(pump(client_r, daemon_w, conn, True), pump(daemon_r, client_w, conn, False))


def dump():
    with open(log_path, "w") as f:
        for conn, start, end, line in events:
            f.write(f"{(start - t0) * 1000:9.1f} {(end - start) * 1000:8.1f} c{conn} {line}\n")


async def main():
    if os.path.exists(listen):
        os.unlink(listen)
    server = await asyncio.start_unix_server(handle, listen)
    stop = asyncio.Event()
    import signal
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()
    dump()

asyncio.run(main())
