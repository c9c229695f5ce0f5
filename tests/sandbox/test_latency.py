"""The round-trip latency of ``Sandbox(latency_ms=...)``: applied to every request of both servers.

Counted, not timed: the sandbox records the delay it injected per request; the only clock
checks are lower bounds (a request cannot answer before its round trip).
"""

from __future__ import annotations

import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from tests.sandbox.helpers import settled, shop_session
from wooodoo.cli import main
from wooodoo.cli.sandbox import _make_sandbox
from wooodoo.sandbox import Sandbox, Timing
from wooodoo.sandbox.faults import FaultPlan

LATENCY_MS = 40


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(orders=10, seed=5, directory=tmp_path, latency_ms=LATENCY_MS) as sb:
        yield sb


def woo_get(box: Sandbox, s: requests.Session) -> float:
    """One WooCommerce read; the seconds it took at the client."""
    started = time.perf_counter()
    answer = s.get(f"{box.woo_url}/wp-json/wc/v3/orders", params={"per_page": 5}, timeout=30)
    assert answer.status_code == 200, answer.text
    return time.perf_counter() - started


def odoo_version_call(box: Sandbox, s: requests.Session) -> float:
    started = time.perf_counter()
    body = xmlrpc.client.dumps((), "version")
    answer = s.post(f"{box.odoo_url}/xmlrpc/2/common", data=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert "server_version" in answer.text
    return time.perf_counter() - started


def test_every_request_of_both_servers_waits_one_round_trip(box: Sandbox) -> None:
    s = shop_session(box)
    took = [woo_get(box, s), woo_get(box, s), odoo_version_call(box, s)]

    woo = settled(box.woo_latency.snapshot, 2)
    odoo = settled(box.odoo_latency.snapshot, 1)
    assert woo.requests == 2
    assert odoo.requests == 1
    assert woo.injected_seconds == pytest.approx(2 * LATENCY_MS / 1000)
    assert odoo.injected_seconds == pytest.approx(LATENCY_MS / 1000)
    # the server's own time is measured apart from the delay it injected
    assert woo.server_seconds > 0
    assert odoo.server_seconds > 0
    assert box.timing() == woo + odoo
    assert box.timing().requests == box.woo_requests() + box.odoo_counter.total() == 3
    assert all(t >= LATENCY_MS / 1000 for t in took)  # a lower bound only


def test_control_endpoints_are_neither_delayed_nor_timed(box: Sandbox) -> None:
    s = shop_session(box)
    assert s.get(f"{box.odoo_url}/__sandbox__/counts", timeout=30).status_code == 200
    assert box.timing() == Timing()


def test_latency_can_be_changed_and_read_while_serving(box: Sandbox) -> None:
    s = shop_session(box)
    url = f"{box.odoo_url}/__sandbox__/latency"
    changed = s.post(url, json={"ms": 5}, timeout=30)
    assert changed.status_code == 200, changed.text
    assert changed.json()["ms"] == 5
    assert box.odoo_latency.ms == 5
    assert box.woo_latency.ms == LATENCY_MS  # one server at a time over HTTP
    odoo_version_call(box, s)
    settled(box.odoo_latency.snapshot, 1)
    seen = s.get(url, timeout=30).json()
    assert seen["requests"] == 1
    assert seen["injected_seconds"] == pytest.approx(0.005)
    assert s.post(url, json={"ms": -1}, timeout=30).status_code == 400
    assert s.post(url, json={"seconds": 1}, timeout=30).status_code == 400

    box.latency_ms = 0
    box.reset_timing()
    woo_get(box, s)
    assert settled(box.timing, 1).requests == 1
    assert box.timing().injected_seconds == 0


def test_a_faulted_answer_crosses_the_network_too(box: Sandbox) -> None:
    box.odoo_faults.plan = FaultPlan(rate_503=1.0)
    s = shop_session(box)
    answer = s.post(f"{box.odoo_url}/xmlrpc/2/common", data=b"", timeout=30)
    assert answer.status_code == 503
    assert settled(box.odoo_latency.snapshot, 1).requests == 1
    assert box.odoo_latency.snapshot().injected_seconds == pytest.approx(LATENCY_MS / 1000)


def test_negative_latency_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="0 ms or more"):
        Sandbox(orders=1, directory=tmp_path, latency_ms=-1)


def test_the_sandbox_command_takes_a_latency(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sandbox", "--help"])
    assert result.exit_code == 0
    assert "--latency-ms" in result.output
    box = _make_sandbox(1, 1, "19", "per-line", tmp_path, latency_ms=7)
    assert box.woo_latency.ms == box.odoo_latency.ms == box.latency_ms == 7
