"""Background checkpoints: the store's commits are copied back into the file by a thread."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from wooodoo.audit import Event, open_audit

WAIT_SECONDS = 5.0
THREAD = "wooodoo-audit-checkpoint"


def events(start: int, n: int) -> list[Event]:
    payload = {"lines": [{"name": "A product with a long name", "qty": 2}] * 5}
    return [
        Event("order", str(i), f"acme/order/{i}", "created", payload=payload)
        for i in range(start, start + n)
    ]


def file_size_after_commits(path: Path) -> tuple[int, int]:
    """The main file's size before and after three pages were committed (store still open)."""
    with open_audit(path, checkpoints="background") as store:
        before = path.stat().st_size
        for page in range(3):
            store.commit_page("acme", None, events(page * 100, 100))
        deadline = time.monotonic() + WAIT_SECONDS
        while path.stat().st_size == before and time.monotonic() < deadline:
            time.sleep(0.01)
        return before, path.stat().st_size


def test_commits_reach_the_file_while_the_store_is_open(tmp_path: Path) -> None:
    before, after = file_size_after_commits(tmp_path / "a.sqlite3")
    assert after > before


def test_without_them_the_commits_wait_in_the_log(tmp_path: Path) -> None:
    """What the first test tells apart: the same commits stay in the write-ahead log."""
    with open_audit(tmp_path / "a.sqlite3", checkpoints=False):
        pass  # created and migrated, then checkpointed at its close
    path = tmp_path / "a.sqlite3"
    with open_audit(path, checkpoints=False) as store:
        before = path.stat().st_size
        for page in range(3):
            store.commit_page("acme", None, events(page * 100, 100))
        time.sleep(0.2)
        assert path.stat().st_size == before


def test_the_thread_ends_with_the_store(tmp_path: Path) -> None:
    with open_audit(tmp_path / "a.sqlite3", checkpoints="background") as store:
        store.commit_page("acme", None, events(0, 10))
        assert THREAD in {t.name for t in threading.enumerate()}
        assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # type: ignore[attr-defined]
    assert THREAD not in {t.name for t in threading.enumerate()}
    with open_audit(tmp_path / "a.sqlite3") as store:
        assert len(store.events("acme")) == 10
