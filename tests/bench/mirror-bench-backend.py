#!/usr/bin/env python3
"""Tiny HTTP/1.1 backend for tests/bench/mirror-bench.sh: a slow or a blackholed v2.

  --delay-ms MS   answer every request after MS milliseconds (the "slow v2")
  --blackhole     accept, read and count requests, never answer (the memory scenario's v2)

* asyncio Protocol + loop.call_later: a waiting request costs a timer, not a thread or a
  task, so thousands of concurrent connections are fine (listen backlog 4096; the harness
  raises the fd limit).
* Keep-alive and pipelining: responses are written in request order.
* GET /__status answers at once (also in blackhole mode), in nginx stub_status format, so the
  harness reads every backend's request counter the same way. Like nginx, the counter
  includes the status request itself.
* Bodies: Content-Length is honoured; chunked request bodies are answered 501 and closed.
  Mirrored GETs have no body.
"""
import argparse
import asyncio
import signal
import sys

STATUS_PATH = b"/__status"
MAX_HEAD = 64 * 1024


class Stats:
    accepted = 0
    active = 0
    requests = 0


class Conn(asyncio.Protocol):
    def __init__(self, cfg, stats):
        self.cfg = cfg
        self.stats = stats
        self.buf = b""
        self.slots = []  # [bytes or None, close_after]; flushed in order
        self.transport = None
        self.closing = False
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport):
        self.transport = transport
        self.stats.accepted += 1
        self.stats.active += 1

    def connection_lost(self, exc):
        self.stats.active -= 1
        self.closing = True

    def data_received(self, data):
        if self.closing:
            return
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self._abort()
                return
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                self._abort()
                return
            method, target, version = parts
            clen = 0
            conn_hdr = ""
            chunked = False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    clen = int(value.strip() or 0)
                elif name == "connection":
                    conn_hdr = value.strip().lower()
                elif name == "transfer-encoding":
                    chunked = "chunked" in value.lower()
            need = end + 4 + clen
            if len(self.buf) < need:
                return
            self.buf = self.buf[need:]
            self.stats.requests += 1
            is_status = target.encode("latin-1") == STATUS_PATH
            if self.cfg.blackhole and not is_status:
                continue  # swallowed: counted, never answered
            if version == "HTTP/1.1":
                keep = "close" not in conn_hdr
            else:
                keep = "keep-alive" in conn_hdr
            slot = [None, not keep]
            self.slots.append(slot)
            if chunked:
                slot[1] = True
                self._fill(slot, 501, b"text/plain", b"chunked bodies not supported\n", method)
                return
            if is_status:
                s = self.stats
                body = (
                    "Active connections: %d \nserver accepts handled requests\n %d %d %d \n"
                    "Reading: 0 Writing: %d Waiting: 0 \n"
                    % (s.active, s.accepted, s.accepted, s.requests, s.active)
                ).encode()
                self._fill(slot, 200, b"text/plain", body, method)
            else:
                self.loop.call_later(
                    self.cfg.delay, self._fill, slot, 200, b"application/json", self.cfg.body, method
                )
            if not keep:
                return  # ignore anything after a request that closes the connection

    def _abort(self):
        self.transport.close()
        self.closing = True

    def _fill(self, slot, code, ctype, body, method):
        if self.closing:
            return
        reason = {200: b"OK", 501: b"Not Implemented"}.get(code, b"X")
        hdr = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (
            code, reason, ctype, len(body))
        hdr += b"Connection: close\r\n\r\n" if slot[1] else b"\r\n"
        slot[0] = hdr if method == "HEAD" else hdr + body
        out = []
        close = False
        while self.slots and self.slots[0][0] is not None:
            data, c = self.slots.pop(0)
            out.append(data)
            if c:
                close = True
                break
        if out:
            self.transport.write(b"".join(out))
        if close:
            self._abort()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, default=200.0)
    ap.add_argument("--blackhole", action="store_true")
    ap.add_argument("--body", default='{"msg":"hello from v2"}')
    cfg = ap.parse_args()
    cfg.delay = cfg.delay_ms / 1000.0
    cfg.body = cfg.body.encode()
    stats = Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Conn(cfg, stats), cfg.host, cfg.port, backlog=4096, reuse_address=True
    )
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with server:
        await stop
    sys.stderr.write("mirror-bench-backend: requests=%d accepted=%d\n" % (stats.requests, stats.accepted))


if __name__ == "__main__":
    asyncio.run(main())
