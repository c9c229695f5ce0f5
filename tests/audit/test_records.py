"""What the store hands out: typed runs, events, links and failures, never database rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from wooodoo.audit import AuditStore, Event, EventRecord, Failure, Link, Run

KEY = "acme/order/1"


def just_now(at: datetime) -> bool:
    """Written a moment ago, in UTC (comparing with an aware ``now`` fails if ``at`` is naive)."""
    return at.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - at) < timedelta(minutes=1)


def test_events_come_back_typed_newest_first(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        run_id = store.start_run("acme", "sync")
        payload = {"total": Decimal("12.30"), "lines": [{"sku": "A-1", "qty": 2}]}
        store.commit_page("acme", run_id, [Event("order", "1", KEY, "failed", error="no tax")])
        created = Event(
            "order", "1", KEY, "created", "v2", "account.move", 7, "INV/1", payload=payload
        )
        store.commit_page("acme", run_id, [created])
        newest, oldest = store.events("acme", KEY)
    assert isinstance(newest, EventRecord)
    assert (newest.run_id, newest.tenant, newest.key) == (run_id, "acme", KEY)
    assert newest.action == "created"
    assert (newest.odoo_model, newest.odoo_id, newest.odoo_name) == ("account.move", 7, "INV/1")
    assert newest.source_version == "v2"
    assert newest.payload == {"total": "12.30", "lines": [{"sku": "A-1", "qty": 2}]}
    assert just_now(newest.at)
    assert newest.id > oldest.id
    assert (oldest.action, oldest.error, oldest.payload) == ("failed", "no tax", None)


def test_events_of_a_tenant_without_a_key_and_limited(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        events = [Event("order", str(i), f"acme/order/{i}", "created") for i in range(5)]
        store.commit_page("acme", None, events)
        store.commit_page("other", None, [Event("order", "9", "other/order/9", "created")])
        found = store.events("acme", limit=3)
    assert [e.key for e in found] == ["acme/order/4", "acme/order/3", "acme/order/2"]
    assert {e.run_id for e in found} == {None}


def test_runs_come_back_typed_newest_first(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        first = store.start_run("acme", "sync")
        store.finish_run(first, "partial", {"invoiced": 3, "failed": 1}, error=None)
        second = store.start_run("acme", "replay")
        store.start_run("other", "sync")
        newest, oldest = store.runs("acme")
        assert store.runs_after("acme", first) == [newest]
    assert isinstance(oldest, Run)
    assert (oldest.id, oldest.command, oldest.status) == (first, "sync", "partial")
    assert oldest.stats == {"failed": 1, "invoiced": 3}
    assert oldest.finished_at is not None
    assert just_now(oldest.finished_at)
    assert just_now(oldest.started_at)
    assert (newest.id, newest.status, newest.finished_at, newest.stats) == (
        second,
        "running",
        None,
        {},
    )


def test_links_and_failures_come_back_typed(tmp_path: Path) -> None:
    link = Link(KEY, "order", "1", "account.move", 7, "mismatch", "v1", "INV/1", {"total": "9.99"})
    with AuditStore(tmp_path / "a.sqlite3") as store:
        event = Event("order", "1", KEY, "mismatch", error="1 cent")
        store.commit_page("acme", None, [event], [link])
        assert store.links("acme", [KEY, "acme/order/2"]) == {KEY: link}
        assert store.all_links("acme", "order") == [link]
        assert store.all_links("acme", "customer") == []
        [failure] = store.failures()
    assert isinstance(failure, Failure)
    assert (failure.tenant, failure.key, failure.reason, failure.attempts) == (
        "acme",
        KEY,
        "1 cent",
        1,
    )
    assert just_now(failure.last_at)
