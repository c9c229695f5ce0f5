"""An audit store with two tenants' runs and events, for the ``wooodoo audit`` report tests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.cli.conftest import CliHarness
from wooodoo.audit import AuditStore, Event, Link

KEY = "acme/order/1042"
OLD = "2025-01-02T03:04:05+00:00"  # events of long ago (prune, --since)


@pytest.fixture(name="tokyo")
def tokyo_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time is Tokyo's (UTC+9, no daylight saving)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _events() -> list[tuple[str, Event]]:
    eur = {
        "expected": {"untaxed": "14.990000", "tax": "2.850000", "total": "17.840000"},
        "odoo": {"untaxed": "14.99", "tax": "2.85", "total": "17.84"},
        "currency": "EUR",
    }
    return [
        ("acme", Event("order", "1042", "acme/order/1042", "created", odoo_model="account.move",
                       odoo_id=55, odoo_name="INV/2026/0001", payload=eur)),
        ("acme", Event("order", "1043", "acme/order/1043", "failed",
                       error="tax rate 7 (DE 7%) has no mapping\nadd it to sync.taxes",
                       payload={"expected": {"total": "1500.000000"}, "currency": "JPY"})),
        ("acme", Event("order", "1044", "acme/order/1044", "mismatch", odoo_model="account.move",
                       odoo_id=56, payload={"expected": {"total": "1.250000"}, "currency": "KWD"})),
        ("beta", Event("refund", "7", "beta/refund/7", "failed", error="Odoo refused it")),
        ("acme", Event("customer", "5", "acme/customer/5", "created", odoo_model="res.partner",
                       odoo_id=9, payload={"name": "Ann", "email": "ann@example.com"})),
    ]  # fmt: skip


@pytest.fixture(name="audited")
def audited_fixture(cli_runner: CliHarness) -> AuditStore:
    """Two tenants' runs and events; the first two events are old (2025-01-02)."""
    beta = json.loads(json.dumps(cli_runner.config["tenants"]["acme"]))
    cli_runner.config["tenants"]["beta"] = beta
    cli_runner.config["audit_db"] = str(cli_runner.tmp_path / "audit.sqlite3")
    store = AuditStore(cli_runner.tmp_path / "audit.sqlite3")
    old = store.start_run("acme", "sync")
    first = {"expected": {"total": "9.990000"}}
    store.commit_page("acme", old, [Event("order", "1042", KEY, "created", payload=first)])
    store.commit_page("acme", old, [Event("order", "1042", KEY, "unchanged", payload={"n": 1})])
    store.db.execute("UPDATE events SET at = ?", (OLD,))
    store.db.execute("UPDATE runs SET started_at = ?", (OLD,))
    store.finish_run(old, "ok", {"invoiced": 1})
    store.db.execute("UPDATE runs SET finished_at = '2025-01-02T03:05:10+00:00'")
    run = store.start_run("acme", "sync")
    for tenant, event in _events():
        store.commit_page(tenant, run, [event])
    amounts = {"untaxed": "14.990000", "total": "17.840000"}
    link = Link(KEY, "order", "1042", "account.move", 55, "posted", "1", "INV/2026/0001", amounts)
    store.commit_page("acme", run, [], [link], cursor=("orders", "2026-03-01T10:00:00+00:00"))
    store.finish_run(run, "partial", {"invoiced": 1, "failed": 1, "mismatch": 1})
    aborted = store.start_run("beta", "webhook")
    store.finish_run(aborted, "aborted", {}, "the WooCommerce store is unreachable")
    store.start_run("acme", "replay")  # killed: stays running
    return store
