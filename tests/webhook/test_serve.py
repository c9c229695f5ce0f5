"""``wooodoo webhook serve`` as a real process: stops on SIGTERM, and a SIGKILL in the middle of
a burst loses nothing: every delivery answered 2xx is processed after a restart, each once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from wooodoo.audit import AuditStore
from wooodoo.errors import EXIT_OK
from wooodoo.sandbox import Sandbox
from wooodoo.webhook.signature import sign

LIMIT = 60.0
CLI = (sys.executable, "-c", "from wooodoo.cli import main; main()")


@contextmanager
def sandbox(tmp_path: Path) -> Iterator[tuple[Sandbox, Path, dict[str, str]]]:
    with Sandbox(orders=120, seed=43, directory=tmp_path) as sb:
        config, _ = sb.write_config(tmp_path / "config.yaml")
        env = {**os.environ, **sb.secret_env()}
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        yield sb, config, env


def start_serve(config: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [*CLI, "--config", str(config), "webhook", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "listening on http://127.0.0.1:PORT/webhooks/<tenant> (...)"
    assert "listening on" in line, line + proc.stdout.read()
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    return proc, port


def delivery(sb: Sandbox, order_id: int, n: int) -> tuple[bytes, dict[str, str]]:
    with sb.store.lock:
        modified = sb.store.orders[order_id].date_modified
    body = f'{{"id": {order_id}, "date_modified_gmt": "{modified}", "n": {n}}}'.encode()
    headers = {
        "X-WC-Webhook-Signature": sign(body, sb.secrets.webhook_secret),
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Delivery-ID": f"burst-{n}",
        "Content-Type": "application/json",
    }
    return body, headers


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with sandbox(tmp_path) as (_, config, env):
        proc, port = start_serve(config, env)
        try:
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=LIMIT)
            assert proc.returncode == EXIT_OK, out
            assert "webhook receiver stopped" in out
        finally:
            if proc.poll() is None:
                proc.kill()


def test_sigkill_in_a_burst_loses_no_answered_delivery(tmp_path: Path) -> None:
    with sandbox(tmp_path) as (sb, config, env):
        invoiced = [
            o.id for o in sb.store.orders.values() if o.status in ("processing", "completed")
        ]
        proc, port = start_serve(config, env)
        answered: list[int] = []
        lock = threading.Lock()

        def send(numbers: range) -> None:
            session = requests.Session()
            for n in numbers:
                order_id = invoiced[n % len(invoiced)]
                body, headers = delivery(sb, order_id, n)
                try:
                    url = f"http://127.0.0.1:{port}/webhooks/{sb.tenant}"
                    answer = session.post(url, data=body, headers=headers, timeout=5)
                except requests.RequestException:
                    return  # the receiver is gone
                if 200 <= answer.status_code < 300:
                    with lock:
                        answered.append(n)

        senders = [threading.Thread(target=send, args=(range(i, 400, 4),)) for i in range(4)]
        for t in senders:
            t.start()
        deadline = time.monotonic() + LIMIT
        while len(answered) < 40 and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.kill()  # SIGKILL, in the middle of the burst
        proc.wait(timeout=LIMIT)
        for t in senders:
            t.join(LIMIT)
        assert answered, "no delivery was answered before the kill"

        proc, port = start_serve(config, env)  # the restart drains what was kept
        try:
            audit = Path(tmp_path / "audit.sqlite3")
            deadline = time.monotonic() + LIMIT
            while time.monotonic() < deadline:
                with AuditStore(audit) as store:
                    if not store.inbox_pending(sb.tenant):
                        break
                time.sleep(0.2)
            with AuditStore(audit) as store:
                kept = {i.delivery_id: i for i in store.inbox_recent(sb.tenant, limit=1000)}
                assert store.inbox_pending(sb.tenant) == []
            for n in answered:  # kept once, and processed (or the same version kept already)
                order_id = str(invoiced[n % len(invoiced)])
                same = [i for i in kept.values() if i.resource_id == order_id]
                assert len(same) == 1, (n, same)
                assert same[0].processed_at is not None
            origins: list[Any] = [
                m["invoice_origin"]
                for m in sb.odoo_app.call(
                    "account.move",
                    "search_read",
                    [("invoice_origin", "=like", "sandbox/%")],
                    ["invoice_origin"],
                )
            ]
            assert len(origins) == len(set(origins))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=LIMIT)


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
