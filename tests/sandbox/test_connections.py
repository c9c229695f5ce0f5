"""The look-alikes keep connections open as a real shop and Odoo behind a web server do, and
charge a new connection's handshakes: one round trip for TCP, one more for TLS.

Counted, not timed: the sandbox records the connections it saw and the delay it charged.
"""

from __future__ import annotations

import logging
import socket
import xmlrpc.client
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from tests.e2e_helpers import Box, invoice_problems
from tests.sandbox.helpers import settled, shop_session
from wooodoo.cli import main
from wooodoo.sandbox import Sandbox
from wooodoo.sandbox.server import LoopbackServer

LATENCY_MS = 10


def read_orders(box: Sandbox, s: requests.Session) -> requests.Response:
    answer = s.get(f"{box.woo_url}/wp-json/wc/v3/orders", params={"per_page": 2}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def odoo_version(box: Sandbox, s: requests.Session) -> requests.Response:
    body = xmlrpc.client.dumps((), "version")
    answer = s.post(f"{box.odoo_url}/xmlrpc/2/common", data=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.parametrize("keep_alive", [True, False])
def test_handshakes_are_charged_per_connection_opened(tmp_path: Path, keep_alive: bool) -> None:
    with Sandbox(
        orders=5, seed=3, directory=tmp_path, latency_ms=LATENCY_MS, keep_alive=keep_alive
    ) as box:
        s = shop_session(box)
        answers = [read_orders(box, s) for _ in range(3)] + [odoo_version(box, s) for _ in range(2)]
        woo = settled(box.woo_latency.snapshot, 3)
        odoo = settled(box.odoo_latency.snapshot, 2)

    opened_woo, opened_odoo = (1, 1) if keep_alive else (3, 2)
    assert (woo.requests, woo.connections) == (3, opened_woo)
    assert (odoo.requests, odoo.connections) == (2, opened_odoo)
    rtt = LATENCY_MS / 1000
    assert woo.injected_seconds == pytest.approx(3 * rtt)  # a round trip per request, as before
    assert woo.handshake_seconds == pytest.approx(opened_woo * 2 * rtt)  # TCP, then TLS
    assert odoo.handshake_seconds == pytest.approx(opened_odoo * rtt)  # plain HTTP: TCP only
    wanted = "keep-alive" if keep_alive else "close"
    assert {a.headers["Connection"] for a in answers} == {wanted}


def tiny_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Reads at most 3 bytes of the body it is sent, and says whether the request was first."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    seen = environ["wsgi.input"].read(min(length, 3))
    sock = environ["werkzeug.socket"]
    nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    body = b"%s first=%d nodelay=%d" % (seen, environ["sandbox.new_connection"], bool(nodelay))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def test_a_body_the_app_leaves_unread_does_not_spoil_the_next_request() -> None:
    with LoopbackServer(tiny_app) as server:
        s = requests.Session()
        texts = [s.post(f"{server.url}/x", data=b"abcdefgh" * 500, timeout=10).text]
        texts += [s.post(f"{server.url}/x", data=b"xyz" * 100, timeout=10).text]
        texts += [s.get(f"{server.url}/x", timeout=10).text]
    # nodelay: an answer's body does not wait for the client to acknowledge its head
    assert texts == ["abc first=1 nodelay=1", "xyz first=0 nodelay=1", " first=0 nodelay=1"]


def raw_request(sock: socket.socket, extra: str = "") -> bytes:
    sock.sendall(f"GET /x HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode())
    sock.settimeout(10)
    answer = b""
    while b"first=" not in answer:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed before the answer: {answer!r}"
        answer += chunk
    return answer


def test_a_client_asking_to_close_gets_its_connection_closed() -> None:
    with (
        LoopbackServer(tiny_app) as server,
        socket.create_connection((server.host, server.port)) as sock,
    ):
        answer = raw_request(sock, "Connection: close\r\n")
        assert b"Connection: close" in answer
        assert sock.recv(100) == b""  # the server hung up


def test_stopping_ends_idle_connections_at_once() -> None:
    server = LoopbackServer(tiny_app).start()
    with socket.create_connection((server.host, server.port)) as sock:
        assert b"Connection: keep-alive" in raw_request(sock)
        server.stop()  # would wait for the idle connection's timeout without the wake-up
        assert sock.recv(100) == b""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Box]:
    with Sandbox(orders=150, seed=9, directory=tmp_path, woo_version="9.3.3") as sb:
        config, env = sb.write_config(tmp_path / "config.yaml", batch_size=20)
        for name, value in sb.secret_env().items():
            monkeypatch.setenv(name, value)
        yield Box(sb, config, env, {"batch_size": 20})


def test_a_sync_keeps_its_connections_open(shop: Box) -> None:
    """Many requests, few connections: the sync's sessions reuse what they opened (a client
    opening one per request pays a TCP and a TLS handshake each time on a real network)."""
    sb = shop.sb
    result = CliRunner().invoke(main, ["--config", str(shop.config_path), "sync"])
    assert result.exit_code in (0, 1), result.output
    woo, odoo = sb.woo_latency.snapshot(), sb.odoo_latency.snapshot()
    assert woo.requests >= 3
    assert odoo.requests >= 20
    assert woo.connections <= 3  # the page reader's, and the main thread's for refunds
    assert odoo.connections <= 2
    assert invoice_problems(sb, shop)[0] == []


def test_an_app_error_is_a_500_that_closes_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise RuntimeError("the look-alike broke")

    with (
        caplog.at_level(logging.ERROR, logger="wooodoo.sandbox.server"),
        LoopbackServer(broken) as server,
    ):
        answer = requests.get(f"{server.url}/x?key=1", timeout=10)
    assert answer.status_code == 500
    assert answer.headers["Connection"] == "close"
    assert "the look-alike broke" in caplog.text  # a sandbox bug is not a silent 500
    assert "GET /x" in caplog.text
