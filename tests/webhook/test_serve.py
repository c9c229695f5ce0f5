"""``wooodoo webhook serve`` as a real process: stops on SIGTERM. (A SIGKILL in the middle of a
burst: ``tests/chaos/test_kill_webhook.py``.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

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


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
