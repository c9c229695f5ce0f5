"""The SQLite audit store on a real file: permissions, migrations, one-transaction pages."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from wooodoo.audit import AuditStore, Event, Link
from wooodoo.audit.migrations import MIGRATIONS
from wooodoo.errors import EXIT_USAGE, ConfigError

# Files written by earlier versions must keep opening: shipped names never change or move.
SHIPPED = ("0001_initial",)


def test_new_store_is_private_and_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.sqlite3"
    with AuditStore(path) as store:
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with AuditStore(path) as again:  # reopening applies nothing twice
        assert again.applied_migrations() == [name for name, _ in MIGRATIONS]
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_shipped_migrations_keep_their_names_and_order() -> None:
    assert tuple(name for name, _ in MIGRATIONS[: len(SHIPPED)]) == SHIPPED


def test_a_page_is_all_or_nothing(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        good = Event("order", "1", "acme/order/1", "created", odoo_model="account.move", odoo_id=7)
        broken = Link("acme/order/2", "order", "2", "account.move", None, "posted")  # type: ignore[arg-type]
        with pytest.raises(sqlite3.IntegrityError):
            store.commit_page("acme", None, [good], [broken], cursor=("orders", "2026-01-02"))
        assert store.events("acme") == []
        assert store.cursor("acme", "orders") is None
        store.commit_page("acme", None, [good], cursor=("orders", "2026-01-02"))
        assert [r.action for r in store.events("acme")] == ["created"]
        assert store.cursor("acme", "orders") == "2026-01-02"


def test_failures_open_on_attention_and_close_on_success(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        key = "acme/order/5"
        store.commit_page("acme", None, [Event("order", "5", key, "failed", error="no tax")])
        store.commit_page("acme", None, [Event("order", "5", key, "mismatch", error="1 cent")])
        [failure] = store.failures("acme")
        assert (failure.attempts, failure.reason) == (2, "1 cent")
        store.commit_page("acme", None, [Event("order", "5", key, "created")])
        assert store.failures("acme") == []


def test_within_one_page_the_last_event_of_a_key_decides_its_failure(tmp_path: Path) -> None:
    """A page's settled events are closed together, but never after a later failure of the
    same key in that page, nor before an earlier one."""
    with AuditStore(tmp_path / "a.sqlite3") as store:
        a, b, c = (f"acme/order/{n}" for n in (1, 2, 3))
        store.commit_page("acme", None, [Event("order", "3", c, "failed", error="old")])
        store.commit_page(
            "acme",
            None,
            [
                Event("order", "1", a, "created"),
                Event("order", "1", a, "failed", error="then refused"),  # a: failed last
                Event("order", "2", b, "failed", error="at first"),
                Event("order", "2", b, "created"),  # b: settled last
                Event("order", "3", c, "linked"),  # c: an older failure closed
            ],
        )
        assert {f.key: f.reason for f in store.failures("acme")} == {a: "then refused"}


def test_payload_snapshots_lose_their_secrets(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3") as store:
        payload = {
            "name": "Ada",
            "nested": [{"consumer_secret": "cs_topsecret"}],
            "deeper": ({"lines": [{"meta": {"Token": "t-456"}, "qty": 2}]},),
            "api_key": "k-123",
        }
        store.commit_page(
            "acme", None, [Event("order", "1", "acme/order/1", "created", payload=payload)]
        )
        [stored_text] = store.db.execute("SELECT payload FROM events").fetchone()
        stored = json.dumps(store.events("acme")[0].payload)
    for text in (stored_text, stored):
        assert "cs_topsecret" not in text
        assert "k-123" not in text
        assert "t-456" not in text
        assert "Ada" in text
        assert json.loads(text)["deeper"][0]["lines"][0]["qty"] == 2


def test_a_foreign_sqlite_file_is_a_clear_config_error(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as other:  # another program's database, with a table named runs
        other.execute("CREATE TABLE runs (x)")
    other.close()
    with pytest.raises(ConfigError) as info:
        AuditStore(path)
    assert str(path) in info.value.message
    assert info.value.exit_code == EXIT_USAGE
