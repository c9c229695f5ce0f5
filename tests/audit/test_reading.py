"""The audit's report queries use the indexes meant for them (the plan, not a timing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wooodoo.audit import AuditStore, EventQuery
from wooodoo.audit.reading import find_events


def plan(store: AuditStore, query: EventQuery) -> str:
    """SQLite's plan for the SQL ``find_events`` sends."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    find_events(store.db, query)
    store.db.set_trace_callback(None)
    (sql,) = [s for s in statements if s.startswith("SELECT")]
    return " | ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}"))


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (EventQuery(actions=("failed",)), "events_action"),
        (EventQuery(tenants=("acme",), actions=("failed",)), "events_tenant_action"),
        (EventQuery(source_id="1042"), "events_source"),
    ],
    ids=["status", "tenant-and-status", "woo-id"],
)
def test_event_filters_use_an_index(tmp_path: Path, query: EventQuery, index: str) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        assert f"USING INDEX {index}" in plan(store, query)
