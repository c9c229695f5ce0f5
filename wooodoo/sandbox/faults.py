"""Fault injection and request counting: a WSGI middleware shared by both look-alikes."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]

_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>"
    b"<body><h1>Service Temporarily Unavailable</h1><p>The server is busy. "
    b"Please try again later.</p></body></html>\n"
)
_GATEWAY_TIMEOUT_PAGE = (
    b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    b"<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_PHP_NOTICE = (
    b"<br />\n<b>Notice</b>:  Undefined index: shipping in "
    b"<b>/var/www/html/wp-content/plugins/some-plugin/some-plugin.php</b> on line <b>42</b><br />\n"
)


@dataclass(frozen=True)
class FaultPlan:
    """Shares (0..1) of requests that get each fault; applied in this order."""

    latency: float = 0.0  # seconds added to every request
    drop: float = 0.0  # connection closed without an answer
    rate_429: float = 0.0  # 429 with Retry-After
    rate_500: float = 0.0
    rate_502: float = 0.0
    rate_503: float = 0.0
    html_200: float = 0.0  # an HTML page with status 200
    php_notice: float = 0.0  # a PHP notice before the real JSON body
    slow_body: float = 0.0  # the real body, trickled out slowly
    # The faults below come after the app has run (and, for a write, committed), as a proxy's
    # do when the server behind it finished but its answer is lost on the way back.
    rate_504: float = 0.0  # the gateway stopped waiting: nginx's 504 page
    cut_body: float = 0.0  # status, headers and half the body, then the connection closes
    stall_body: float = 0.0  # headers and half the body, then a pause of ``stall_seconds``
    retry_after: int = 1  # seconds announced in Retry-After
    slow_seconds: float = 0.5  # total extra time a slow body takes
    stall_seconds: float = 5.0  # the pause of a stalled body (past the client's timeout)
    # only requests whose path contains one of these are faulted (none: every request), e.g.
    # ``("/create",)`` for JSON-2 creates; set in-process, not through the control endpoint
    paths: tuple[str, ...] = ()

    @classmethod
    def transient(cls, share: float) -> FaultPlan:
        """A plan where ``share`` of all requests fail in one of the retriable ways."""
        part = share / 6
        return cls(
            drop=part, rate_429=part, rate_502=part, rate_503=part, html_200=part, php_notice=part
        )

    def with_updates(self, **changes: Any) -> FaultPlan:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        return replace(self, **changes)

    def any(self) -> bool:
        return any(
            getattr(self, name) > 0
            for name in (
                "latency",
                "drop",
                "rate_429",
                "rate_500",
                "rate_502",
                "rate_503",
                "html_200",
                "php_notice",
                "slow_body",
                "rate_504",
                "cut_body",
                "stall_body",
            )
        )


class RequestCounter:
    """Thread-safe counts of requests by key (e.g. ``GET /wp-json/wc/v3/orders``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._counts[key] += n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def total(self, prefix: str = "") -> int:
        with self._lock:
            return sum(v for k, v in self._counts.items() if k.startswith(prefix))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class FaultInjector:
    """WSGI middleware: counts every request, then maybe answers with a fault.

    ``plan`` can be replaced at any time (tests and ``/__sandbox__/faults``).
    Requests under ``/__sandbox__/`` are never faulted nor counted.
    """

    def __init__(
        self,
        app: WSGIApp,
        counter: RequestCounter,
        plan: FaultPlan | None = None,
        seed: int = 0,
    ) -> None:
        self.app = app
        self.counter = counter
        self.plan = plan or FaultPlan()
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self.faults_served: Counter[str] = Counter()

    def _roll(self) -> float:
        with self._rng_lock:
            return self._rng.random()

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__sandbox__/"):
            return self.app(environ, start_response)
        self.counter.add(f"{environ.get('REQUEST_METHOD', 'GET')} {path}")
        plan = self.plan
        if not plan.any() or (plan.paths and not any(p in path for p in plan.paths)):
            return self.app(environ, start_response)
        if plan.latency:
            time.sleep(plan.latency)
        fault = self._pick(plan)
        if fault is None:
            return self.app(environ, start_response)
        self.faults_served[fault] += 1
        return self._serve_fault(fault, plan, environ, start_response)

    def _pick(self, plan: FaultPlan) -> str | None:
        roll = self._roll()
        edge = 0.0
        for name in (
            "drop",
            "rate_429",
            "rate_500",
            "rate_502",
            "rate_503",
            "html_200",
            "php_notice",
            "slow_body",
            "rate_504",
            "cut_body",
            "stall_body",
        ):
            edge += float(getattr(plan, name))
            if roll < edge:
                return name
        return None

    def _serve_fault(
        self, fault: str, plan: FaultPlan, environ: WSGIEnviron, start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault == "drop":
            sock = environ.get("werkzeug.socket")
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            raise ConnectionAbortedError("sandbox fault: dropped connection")
        if fault in ("rate_429", "rate_500", "rate_502", "rate_503"):
            status = {
                "rate_429": "429 Too Many Requests",
                "rate_500": "500 Internal Server Error",
                "rate_502": "502 Bad Gateway",
                "rate_503": "503 Service Unavailable",
            }[fault]
            headers = [("Content-Type", "text/html; charset=UTF-8")]
            if fault in ("rate_429", "rate_503"):
                headers.append(("Retry-After", str(plan.retry_after)))
            start_response(status, headers)
            return [_HTML_PAGE]
        if fault == "html_200":
            start_response("200 OK", [("Content-Type", "text/html; charset=UTF-8")])
            return [_HTML_PAGE]
        if fault in ("rate_504", "cut_body", "stall_body"):
            return self._after_the_app(fault, plan, environ, start_response)
        body_iter = self.app(environ, _capture(start_response, fault))
        if fault == "php_notice":
            return _prefixed(_PHP_NOTICE, body_iter)
        return _trickle(body_iter, plan.slow_seconds)

    def _after_the_app(
        self, fault: str, plan: FaultPlan, environ: WSGIEnviron, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Run the app to its end (a write commits), then lose or delay its answer."""
        answer: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return lambda data: None

        body_iter = self.app(environ, keep)
        try:
            body = b"".join(body_iter)
        finally:
            close = getattr(body_iter, "close", None)
            if close is not None:
                close()
        if fault == "rate_504":
            start_response(
                "504 Gateway Time-out",
                [
                    ("Content-Type", "text/html"),
                    ("Content-Length", str(len(_GATEWAY_TIMEOUT_PAGE))),
                ],
            )
            return [_GATEWAY_TIMEOUT_PAGE]
        status, headers = answer
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        # the full length is announced, so the client knows the body it got is short
        start_response(status, [*kept, ("Content-Length", str(len(body)))])
        if fault == "cut_body":
            return _cut(body, environ.get("werkzeug.socket"))
        return _stalled(body, plan.stall_seconds)


def _capture(start_response: StartResponse, fault: str) -> StartResponse:
    def wrapped(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        # The body length changes (notice prepended) or is streamed: drop Content-Length.
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        return start_response(status, kept, exc_info)

    return wrapped


def _prefixed(prefix: bytes, body: Iterable[bytes]) -> Iterator[bytes]:
    yield prefix
    yield from body


def _trickle(body: Iterable[bytes], seconds: float) -> Iterator[bytes]:
    data = b"".join(body)
    steps = 5
    size = max(1, len(data) // steps + 1)
    for start in range(0, len(data), size):
        time.sleep(seconds / steps)
        yield data[start : start + size]


def _cut(body: bytes, sock: object) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("sandbox fault: connection dropped in the middle of the body")


def _stalled(body: bytes, seconds: float) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    time.sleep(seconds)
    yield body[len(body) // 2 :]
