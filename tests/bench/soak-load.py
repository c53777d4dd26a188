#!/usr/bin/env python3
"""soak-load.py - a steady, open-loop HTTP/1.1 load for tests/bench/soak.sh.

Sends GET PATH with Host HOST to 127.0.0.1:PORT at RATE requests per second for DURATION
seconds over keep-alive connections (at most CONNS at once), and writes a JSON summary:
sent, ok (status 200 with EXPECT in the body), errors by kind, late starts and latency
percentiles. Open loop: request i is due at start + i / RATE whatever happened before it; a
request that cannot start within 1 s of its due time (every connection busy) counts as late
but is still sent, so every scheduled request is accounted for. A request written to an idle
keep-alive connection the server had closed (its idle timeout) is sent again on a new
connection, as HTTP clients do, and counted as a stale resend, not an error.

  soak-load.py --port 8080 --rate 200 --duration 60 --out load.json
"""
import argparse
import asyncio
import json
import time


class Stats:
    def __init__(self):
        self.sent = 0
        self.ok = 0
        self.late = 0
        self.stale = 0  # resent: the idle keep-alive connection had been closed by the server
        self.errors = {}
        self.latencies = []

    def error(self, kind):
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def read_response(reader):
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed before a status line")
    parts = status_line.split(b" ", 2)
    status = int(parts[1])
    length = None
    chunked = False
    close = False
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed in the response head")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and value.lower() == b"chunked":
            chunked = True
        elif name == b"connection" and value.lower() == b"close":
            close = True
    body = b""
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        close = True
    return status, body, close


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host-header", default="greeter-service")
    ap.add_argument("--path", default="/hello")
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--expect", default="v1", help="text the body must contain")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    stats = Stats()
    idle = []
    slots = asyncio.Semaphore(a.conns)
    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mirrorscope-soak\r\n\r\n"
               % (a.path, a.host_header)).encode()
    expect = a.expect.encode()

    async def one(due):
        async with slots:
            if time.monotonic() - due > 1.0:
                stats.late += 1
            conn = idle.pop() if idle else None
            t0 = time.monotonic()
            stats.sent += 1
            try:
                if conn is not None:
                    # A keep-alive connection the server closed while it sat idle (its idle
                    # timeout) ends before a status line; like any HTTP client, send again on a
                    # new connection. The server never saw that request: not an error.
                    reader, writer = conn
                    writer.write(request)
                    try:
                        status, body, close = await asyncio.wait_for(read_response(reader),
                                                                     a.timeout)
                    except (ConnectionError, OSError, asyncio.IncompleteReadError) as e:
                        if str(e) != "closed before a status line" and not isinstance(
                                e, ConnectionResetError):
                            raise
                        writer.close()
                        stats.stale += 1
                        conn = None
                if conn is None:
                    conn = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", a.port), a.timeout)
                    reader, writer = conn
                    writer.write(request)
                    status, body, close = await asyncio.wait_for(read_response(reader),
                                                                 a.timeout)
            except asyncio.TimeoutError:
                stats.error("timeout")
                if conn:
                    conn[1].close()
                return
            except (OSError, ConnectionError, ValueError, IndexError,
                    asyncio.IncompleteReadError) as e:
                stats.error("connection: " + type(e).__name__)
                if conn:
                    conn[1].close()
                return
            stats.latencies.append(time.monotonic() - t0)
            if status == 200 and expect in body:
                stats.ok += 1
            else:
                stats.error("status %d" % status if status != 200 else "unexpected body")
            if close:
                writer.close()
            else:
                idle.append(conn)

    start = time.monotonic()
    total = int(a.rate * a.duration)
    tasks = set()
    for i in range(total):
        due = start + i / a.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t = asyncio.ensure_future(one(due))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    for _, w in idle:
        w.close()

    lat = sorted(stats.latencies)

    def pct(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None

    summary = {
        "scheduled": total,
        "sent": stats.sent,
        "ok": stats.ok,
        "errors": sum(stats.errors.values()),
        "errorKinds": stats.errors,
        "late": stats.late,
        "staleKeepAliveResends": stats.stale,
        "seconds": round(time.monotonic() - start, 2),
        "p50Ms": pct(0.50),
        "p99Ms": pct(0.99),
    }
    with open(a.out, "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    asyncio.run(main())
