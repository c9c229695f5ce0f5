"""SIGKILL of ``wooodoo webhook serve`` in the middle of a burst of deliveries (at a moment
drawn from the seed), then a restart: every delivery answered 2xx is kept once and processed,
no key has two documents in Odoo, the audit file is intact.

Moved here from ``tests/webhook/test_serve.py`` (the chaos suite of issue 11).
"""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.chaos.helpers import audit_problems, chaos_seed
from tests.webhook.test_serve import LIMIT, delivery, sandbox, start_serve
from wooodoo.audit import AuditStore


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


def test_sigkill_in_a_burst_loses_no_answered_delivery(tmp_path: Path) -> None:
    seed = chaos_seed(1126)
    # a moment in the burst drawn from the seed: after this many answered deliveries
    kill_after = random.Random(seed).randint(10, 120)
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
        while len(answered) < kill_after and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.kill()  # SIGKILL, in the middle of the burst
        proc.wait(timeout=LIMIT)
        for t in senders:
            t.join(LIMIT)
        assert answered, f"seed {seed}: no delivery was answered before the kill"

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
                assert len(same) == 1, (seed, n, same)
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
            assert len(origins) == len(set(origins)), f"seed {seed}: a key twice in Odoo"
            assert audit_problems(audit, sb.tenant) == [], f"seed {seed}"
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=LIMIT)
