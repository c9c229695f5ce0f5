"""Network round-trip latency for the look-alikes, and the server time each request took.

The look-alikes answer on loopback in well under a millisecond of network time; a real shop
often sits far from its Odoo (Odoo Online: ~100 ms away). ``Latency`` stands in for that
network: it holds every request for one round trip before the server handles it, in the
request's own handler thread (the servers are threaded: concurrent requests wait side by side,
as they would on a real link).

What is modelled: **one round trip per request** (the request and its answer crossing the
network once each), over a connection kept open (the servers keep them, see
``wooodoo.sandbox.server``), plus **the handshakes of a new connection**: one more round trip
for TCP, and one for TLS (1.3) on HTTPS, charged to the request that opened it. A client that
opens a connection per request pays them every time, as it would on a real network.
Bandwidth is not modelled: a big answer costs no more than a small one.

Each request's **server time** is measured apart from the injected delay: from handing the
request to the app until its last byte is written (including the sandbox's own locks and a
fault's slow body; not the TLS handshake, nor werkzeug's wait for the client to hang up).
Summed, that is the servers' share of a run, which no client can avoid.
Control endpoints (``/__sandbox__/``) are neither delayed nor timed, as they are not counted.

``FaultPlan.latency`` is different: a fault (a slow server), applied only with a fault plan.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from wooodoo.sandbox.faults import StartResponse, WSGIApp, WSGIEnviron
from wooodoo.sandbox.server import NEW_CONNECTION


@dataclass(frozen=True)
class Timing:
    """What one server saw since the last reset: requests, delay injected, time spent answering."""

    requests: int = 0
    injected_seconds: float = 0.0  # one round trip per request
    server_seconds: float = 0.0
    connections: int = 0  # opened by the client
    handshake_seconds: float = 0.0  # the round trips of opening them, not in injected_seconds

    def __add__(self, other: Timing) -> Timing:
        return Timing(
            self.requests + other.requests,
            self.injected_seconds + other.injected_seconds,
            self.server_seconds + other.server_seconds,
            self.connections + other.connections,
            self.handshake_seconds + other.handshake_seconds,
        )


class Latency:
    """WSGI middleware: wait ``ms`` before handling each request; time the handling.

    ``ms`` can be changed at any time (``/__sandbox__/latency``); a request in flight keeps the
    delay it started with.
    """

    def __init__(self, app: WSGIApp, ms: float = 0.0) -> None:
        if ms < 0:
            raise ValueError(f"latency must be 0 ms or more, not {ms}")
        self.app = app
        self.ms = ms
        self._lock = threading.Lock()
        self._timing = Timing()

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/__sandbox__/"):
            return self.app(environ, start_response)
        delay = self.ms / 1000
        opened = bool(environ.get(NEW_CONNECTION))
        handshake = delay * (2 if environ.get("wsgi.url_scheme") == "https" else 1) if opened else 0
        if delay > 0:
            time.sleep(delay + handshake)
        started = time.perf_counter()
        spent = Timing(1, delay, 0.0, int(opened), handshake)
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.record(spent, time.perf_counter() - started)
            raise
        return _TimedBody(body, self, spent, started)

    def record(self, spent: Timing, seconds: float) -> None:
        """``spent``'s delays, and ``seconds`` the server took to answer."""
        with self._lock:
            self._timing = self._timing + replace(spent, server_seconds=seconds)

    def snapshot(self) -> Timing:
        with self._lock:
            return self._timing

    def reset(self) -> None:
        with self._lock:
            self._timing = Timing()


class _TimedBody:
    """The app's answer, passed through; timed up to its last byte, recorded on close."""

    def __init__(self, body: Iterable[bytes], latency: Latency, spent: Timing, started: float):
        self._body = body
        self._latency = latency
        self._spent = spent
        self._started = started
        self._finished: float | None = None
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._body
        # the server asks for more only after writing the last part: the answer is out
        self._finished = time.perf_counter()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            finished = self._finished or time.perf_counter()
            self._latency.record(self._spent, finished - self._started)
