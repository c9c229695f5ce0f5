"""``audit prune`` and the order snapshots failed events keep for ``replay --from-snapshot``:
the newest stays while the record's failure is open, and goes once the record is booked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from wooodoo.audit import AuditStore, Event

OLD = "2025-01-02T03:04:05+00:00"


def kept(store: AuditStore, key: str) -> list[bool]:
    rows = store.db.execute("SELECT payload FROM events WHERE key = ? ORDER BY id", (key,))
    return [r[0] is not None for r in rows]


def test_old_order_snapshots_go_but_the_one_an_open_failure_needs(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        for key in ("acme/order/1", "acme/order/2"):
            for n in (1, 2):
                snapshot = {"order": {"id": int(key[-1]), "total": "9.99", "attempt": n}}
                failed = Event(
                    "order", key[-1], key, "failed", error="no mapping", payload=snapshot
                )
                store.commit_page("acme", None, [failed])
        # order 2 is booked later: its failure closes, its snapshots are of no more use
        store.commit_page("acme", None, [Event("order", "2", "acme/order/2", "created")])
        store.db.execute("UPDATE events SET at = ?", (OLD,))

        done = store.prune_payloads(datetime.now(UTC))
        assert kept(store, "acme/order/1") == [False, True]  # the newest: replay may need it
        assert kept(store, "acme/order/2") == [False, False, False]
        assert (done.payloads, done.kept_latest) == (3, 1)
