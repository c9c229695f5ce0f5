"""End to end on loopback: the sandbox store delivers hooks to the receiver, and the posted
invoice appears in the sandbox Odoo seconds later, with no ``sync`` run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from wooodoo.config import load_config
from wooodoo.sandbox import Sandbox
from wooodoo.sandbox.woo.webhooks import Webhook
from wooodoo.webhook.serve import WebhookServer

WAIT = 30.0


@contextmanager
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **sandbox: Any) -> Iterator[Any]:
    sb = Sandbox(orders=20, seed=41, directory=tmp_path, deliver_webhooks=True, **sandbox)
    with sb:
        config_path, _ = sb.write_config(tmp_path / "config.yaml")
        for name, value in sb.secret_env().items():
            monkeypatch.setenv(name, value)
        config = load_config(config_path)
        server = WebhookServer(config, list(config.tenants.values()), port=0, interval=1.0)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield sb, server
        finally:
            server.stop()
            thread.join(10)
            assert not thread.is_alive()


def hook_to(sb: Sandbox, server: WebhookServer, topic: str) -> Webhook:
    url = f"http://127.0.0.1:{server.port}/webhooks/{sb.tenant}"
    return sb.woo_app.webhooks.create(
        name=f"wooodoo {topic}", topic=topic, delivery_url=url, secret=sb.secrets.webhook_secret
    )


def posted_invoices(sb: Sandbox, order_id: int) -> list[dict[str, Any]]:
    return list(
        sb.odoo_app.call(
            "account.move",
            "search_read",
            [("invoice_origin", "=", f"{sb.tenant}/order/{order_id}")],
            ["state", "amount_total"],
        )
    )


def wait_for(check: Any, limit: float = WAIT) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"nothing after {limit}s")


def new_order(sb: Sandbox) -> int:
    product = next(iter(sb.store.products.values()))
    customer = next(iter(sb.store.customers.values()))
    order = sb.store.add_order([(product.id, 2)], customer_id=customer.id, status="processing")
    return int(order.id)


def test_an_order_created_in_the_store_is_invoiced_within_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(tmp_path, monkeypatch) as (sb, server):
        hook_to(sb, server, "order.created")
        started = time.monotonic()
        order_id = new_order(sb)
        delivery = sb.woo_app.webhooks.deliveries[-1]
        assert delivery.response_code == 200, delivery.error  # answered before any sync work
        invoices = wait_for(
            lambda: [m for m in posted_invoices(sb, order_id) if m["state"] == "posted"]
        )
        assert len(invoices) == 1
        assert time.monotonic() - started < WAIT
        assert sb.odoo_counter.snapshot().get("odoo account.move.create", 0) >= 1


def test_ten_identical_deliveries_make_one_invoice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(tmp_path, monkeypatch) as (sb, server):
        hook = hook_to(sb, server, "order.updated")
        order_id = new_order(sb)
        for _ in range(10):
            assert sb.woo_app.webhooks.send(hook, "order.updated", order_id).response_code == 200
        wait_for(lambda: posted_invoices(sb, order_id))
        time.sleep(1.5)  # a straggler would have been drained by now
        assert len(posted_invoices(sb, order_id)) == 1
        recent = server.store.inbox_recent(sb.tenant)  # the server's own log, left open
        kept = [i for i in recent if i.resource_id == str(order_id)]
        assert len(kept) == 1


def test_a_later_drain_reuses_the_connections_and_the_reference_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(tmp_path, monkeypatch) as (sb, server):
        hook = hook_to(sb, server, "order.updated")
        first = new_order(sb)
        sb.woo_app.webhooks.send(hook, "order.updated", first)
        wait_for(lambda: posted_invoices(sb, first))
        assert server.worker.wait_idle(WAIT)
        before = sb.odoo_counter.snapshot()
        second = new_order(sb)
        sb.woo_app.webhooks.send(hook, "order.updated", second)
        wait_for(lambda: posted_invoices(sb, second))
        assert server.worker.wait_idle(WAIT)
        after = sb.odoo_counter.snapshot()
        spent = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
        # no version check, no login, no reference reads: only the order's own calls
        reads = [k for k in spent if k.startswith(("odoo account.tax.", "odoo res.currency."))]
        assert reads == []
        assert "POST /xmlrpc/2/common" not in spent
        assert "GET /web/version" not in spent
        assert sum(n for k, n in spent.items() if k.startswith("odoo ")) <= 8
