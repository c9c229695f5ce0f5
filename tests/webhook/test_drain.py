"""The inbox drained through the engine: by a scheduled sync when it holds the lock, with a note
per delivery (invoiced, skipped for its status or its date, deleted, not handled)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.e2e_helpers import Box, invoices_by_order, running_box, shop_orders
from wooodoo.audit import AuditStore, Delivery
from wooodoo.sync import SyncOptions


def keep(box: Box, topic: str, order_id: int, n: int) -> None:
    order = shop_orders(box.sb)[order_id]
    body = json.dumps({"id": order_id, "n": n})
    modified = order.version if topic != "order.deleted" else None
    with AuditStore(box.config().audit_db) as store:
        assert store.inbox_add(
            Delivery(box.tenant_name, f"d{n}", topic, str(order_id), modified, body)
        )


def notes(box: Box) -> dict[str, str]:
    with AuditStore(box.config().audit_db) as store:
        assert store.inbox_pending(box.tenant_name) == []
        return {str(i.delivery_id): str(i.note) for i in store.inbox_recent(box.tenant_name)}


def test_a_sync_drains_what_the_receiver_kept_with_a_note_per_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=60, seed=44) as box:
        orders = shop_orders(box.sb)
        paid = next(
            o.id for o in orders.values() if o.status == "processing" and o.currency == "EUR"
        )
        pending = next(o.id for o in orders.values() if o.status == "pending")
        keep(box, "order.created", paid, 1)
        keep(box, "order.updated", pending, 2)
        keep(box, "order.deleted", paid, 3)
        # nothing since this morning: only the inbox can bring the paid order in
        result = box.sync(SyncOptions(since=date(2099, 1, 1)))
        assert result.stats["deliveries"] == 3
        assert len(invoices_by_order(box.sb)[paid]) == 1
        said = notes(box)
        assert said["d1"].startswith("created")
        assert said["d2"].startswith("skipped: status pending")
        assert said["d3"].startswith("deleted in the store")
        deleted = [e for e in box.events(box.key(paid)) if e.action == "deleted"]
        assert len(deleted) == 1


def test_an_order_before_sync_since_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_box(tmp_path, monkeypatch, orders=40, seed=45, since="2099-01-01") as box:
        paid = next(o.id for o in shop_orders(box.sb).values() if o.status == "completed")
        keep(box, "order.updated", paid, 1)
        box.sync()
        assert notes(box)["d1"] == "skipped: created before sync.since"
        assert paid not in invoices_by_order(box.sb)


def test_audit_inbox_lists_each_delivery_with_its_fate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from wooodoo.cli import main

    with running_box(tmp_path, monkeypatch, orders=40, seed=46) as box:
        paid = next(o.id for o in shop_orders(box.sb).values() if o.status == "completed")
        keep(box, "order.updated", paid, 1)

        def inbox(*args: str) -> list[str]:
            result = CliRunner().invoke(
                main, ["--config", str(box.config_path), "audit", "inbox", *args]
            )
            assert result.exit_code == 0, result.output
            return result.stdout.splitlines()

        [waiting] = inbox("--pending")
        assert waiting.split("\t")[3:] == ["order.updated", str(paid), "d1", "waiting"]
        box.sync(SyncOptions(since=date(2099, 1, 1)))  # only the inbox brings the order in
        assert inbox("--pending") == [f"{box.tenant_name}: no waiting deliveries"]
        [done] = inbox("--tenant", box.tenant_name)
        assert done.split("\t")[-1].startswith("created")
