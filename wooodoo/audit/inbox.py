"""The webhook inbox in SQLite: verified deliveries kept once, drained by the sync.

A delivery is kept once by its delivery id, and once per version of its resource (the
resource's id and modification date): the store sends the same change several times, and an
``order.created`` and an ``order.updated`` of one version are one change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from wooodoo.audit.encoding import from_iso, now_iso
from wooodoo.audit.migrations import transaction
from wooodoo.audit.records import Delivery, InboxItem


def add(db: sqlite3.Connection, delivery: Delivery) -> bool:
    """Keep the delivery (committed before this returns); False if it was already kept."""
    return add_many(db, [delivery])[0]


def add_many(db: sqlite3.Connection, deliveries: Sequence[Delivery]) -> list[bool]:
    """Keep the deliveries in one transaction (one commit); for each, False if already kept."""
    at = now_iso()
    kept = []
    with transaction(db):
        for delivery in deliveries:
            cur = db.execute(
                "INSERT OR IGNORE INTO inbox (tenant, delivery_id, topic, resource, resource_id,"
                " resource_modified, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    delivery.tenant,
                    delivery.delivery_id,
                    delivery.topic,
                    delivery.resource,
                    delivery.resource_id,
                    delivery.resource_modified,
                    at,
                    delivery.body,
                ),
            )
            kept.append(cur.rowcount == 1)
    return kept


def pending(db: sqlite3.Connection, tenant: str, limit: int) -> list[InboxItem]:
    rows = db.execute(
        "SELECT * FROM inbox WHERE tenant = ? AND processed_at IS NULL ORDER BY id LIMIT ?",
        (tenant, limit),
    )
    return [_item(row) for row in rows]


def tenants_waiting(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT DISTINCT tenant FROM inbox WHERE processed_at IS NULL ORDER BY 1")
    return [str(row[0]) for row in rows]


def done(db: sqlite3.Connection, tenant: str, notes: dict[int, str]) -> None:
    """Mark deliveries processed, each with what became of it."""
    at = now_iso()
    with transaction(db):
        db.executemany(
            "UPDATE inbox SET processed_at = ?, note = ? WHERE tenant = ? AND id = ?",
            [(at, note, tenant, item_id) for item_id, note in notes.items()],
        )


def recent(db: sqlite3.Connection, tenant: str, limit: int) -> list[InboxItem]:
    rows = db.execute(
        "SELECT * FROM inbox WHERE tenant = ? ORDER BY id DESC LIMIT ?", (tenant, limit)
    )
    return [_item(row) for row in rows]


def _item(row: sqlite3.Row) -> InboxItem:
    return InboxItem(
        id=row["id"],
        tenant=row["tenant"],
        delivery_id=row["delivery_id"],
        topic=row["topic"],
        resource_id=row["resource_id"],
        received_at=from_iso(row["received_at"]),
        processed_at=from_iso(row["processed_at"]) if row["processed_at"] else None,
        note=row["note"],
    )
