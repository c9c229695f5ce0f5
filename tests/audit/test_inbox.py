"""The webhook inbox: a delivery kept once per delivery id and once per resource version."""

from __future__ import annotations

from pathlib import Path

from wooodoo.audit import AuditStore, Delivery


def delivery(
    delivery_id: str | None,
    topic: str = "order.updated",
    modified: str | None = "2026-11-26T10:00:00",
) -> Delivery:
    return Delivery("acme", delivery_id, topic, "42", modified, '{"id": 42}')


def test_kept_once_per_delivery_id_and_per_version(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        assert store.inbox_add(delivery("d1"))
        assert not store.inbox_add(delivery("d1"))  # the same delivery again
        assert not store.inbox_add(delivery("d2", "order.created"))  # the same version again
        assert store.inbox_add(delivery("d3", modified="2026-11-26T10:05:00"))  # a new version
        assert store.inbox_add(delivery("d4", "order.deleted", modified=None))
        pending = store.inbox_pending("acme")
        assert [i.delivery_id for i in pending] == ["d1", "d3", "d4"]
        assert store.inbox_tenants() == ["acme"]
        store.inbox_done("acme", {pending[0].id: "invoiced", pending[1].id: "invoiced"})
        assert [i.delivery_id for i in store.inbox_pending("acme")] == ["d4"]
        done = {i.delivery_id: i for i in store.inbox_recent("acme")}
        assert done["d1"].note == "invoiced"
        assert done["d1"].processed_at is not None
        assert done["d1"].received_at.tzinfo is not None


def test_a_kept_delivery_survives_a_new_connection(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with AuditStore(path) as store:
        store.inbox_add(delivery("d1"))
    with AuditStore(path) as again:
        assert [i.delivery_id for i in again.inbox_pending("acme")] == ["d1"]
        assert "0002_inbox_versions" in again.applied_migrations()


def test_a_durable_store_syncs_every_commit(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3", durable=True) as store:
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with AuditStore(tmp_path / "a.sqlite3") as store:
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
