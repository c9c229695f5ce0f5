"""webhook register/list/serve, init and demo at -vv with canary secrets: none in any output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.security.canary import CANARY, MARK, WRONG, assert_clean, audit_text
from tests.security.conftest import TENANT, Shop
from wooodoo.audit import AuditStore
from wooodoo.errors import EXIT_OK
from wooodoo.sandbox import ODOO_LOGIN, SINCE, SandboxSecrets
from wooodoo.webhook.signature import sign
from wooodoo.woo import webhooks as woo_webhooks

Caplog = pytest.LogCaptureFixture
CLI = (sys.executable, "-c", "from wooodoo.cli import main; main()")
NEW_SECRET = f"whsec-{MARK}-made-by-register-0123456789"


def test_webhook_register_and_list(
    shop: Shop, caplog: Caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(woo_webhooks, "new_secret", lambda: NEW_SECRET)
    env = shop.env(webhook_secret=True)  # register keeps the new secret in the keyring
    url = f"https://hooks.example.test/webhooks/{TENANT}"
    result = shop.invoke(caplog, "webhook", "register", "--tenant", TENANT, "--url", url, env=env)
    assert result.exit_code == EXIT_OK, result.output
    assert {h.secret for h in shop.sb.woo_app.webhooks.all()} == {NEW_SECRET}
    assert shop.invoke(caplog, "webhook", "list", "--tenant", TENANT).exit_code == EXIT_OK
    env_file = shop.directory / "hooks.env"
    result = shop.invoke(
        caplog,
        *("webhook", "register", "--tenant", TENANT, "--url", url),
        *("--env-file", str(env_file)),
        env=env,
    )
    assert result.exit_code == EXIT_OK, result.output
    assert NEW_SECRET in env_file.read_text()  # where it was asked to go, and only there
    assert oct(env_file.stat().st_mode & 0o777) == oct(0o600)


def test_webhook_serve(shop: Shop) -> None:
    """The receiver as a process: good and bad deliveries, a drain, then SIGTERM."""
    env = {**os.environ, **shop.env(), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    argv = [*CLI, "--config", str(shop.config), "-vv", "webhook", "serve", "--port", "0"]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline()
        if "listening on" not in line:
            proc.kill()
            pytest.fail(line + proc.communicate(timeout=30)[0])
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        order = max(shop.sb.store.orders)
        body = f'{{"id": {order}}}'.encode()
        url = f"http://127.0.0.1:{port}/webhooks/{TENANT}"
        answers = [
            requests.post(
                url,
                data=body,
                headers={
                    "X-WC-Webhook-Signature": sign(body, secret),
                    "X-WC-Webhook-Topic": "order.updated",
                    "X-WC-Webhook-Delivery-ID": f"leak-{n}",
                },
                timeout=10,
            ).status_code
            for n, secret in enumerate((shop.secrets.webhook_secret, WRONG.webhook_secret))
        ]
        assert answers[0] // 100 == 2, answers
        assert answers[1] == 401, answers
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with AuditStore(shop.audit) as store:
                kept = store.inbox_recent(TENANT)
                if kept and not store.inbox_pending(TENANT):
                    break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_OK, out
    assert_clean("webhook serve's output", line + out)
    assert_clean("the audit file", audit_text(shop.audit))


def test_init_guided_and_starter(shop: Shop, caplog: Caplog, tmp_path: Path) -> None:
    flags = {
        "--tenant": TENANT,
        "--store-url": shop.sb.woo_url,
        "--woo-auth": "query",
        "--woo-ca-bundle": str(shop.sb.ca_path),
        "--odoo-url": shop.sb.odoo_url,
        "--odoo-database": "wooodoo",
        "--odoo-login": ODOO_LOGIN,
        "--since": SINCE,
    }
    args = [a for pair in flags.items() for a in pair]
    refused = shop.invoke(
        caplog, "init", *args, "--yes", config=tmp_path / "wrong.yaml", env=shop.env(WRONG)
    )
    assert refused.exit_code != EXIT_OK, refused.output
    made = tmp_path / "made.yaml"
    result = shop.invoke(caplog, "init", *args, "--yes", config=made)
    assert result.exit_code == EXIT_OK, result.output
    assert_clean("the config init wrote", made.read_text())
    starter = tmp_path / "starter.yaml"
    assert shop.invoke(caplog, "init", "--starter", config=starter).exit_code == EXIT_OK


def test_demo(shop: Shop, caplog: Caplog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SandboxSecrets, "fresh", classmethod(lambda cls: CANARY))
    demo = tmp_path / "demo"
    result = shop.invoke(caplog, "demo", "--orders", "4", "--dir", str(demo))
    assert result.exit_code == EXIT_OK, result.output
    for file in demo.rglob("*"):
        if file.is_file() and not file.name.endswith(".env"):
            assert_clean(str(file), file.read_bytes().decode("latin-1"))
