"""Group commit: records arriving during a commit share the next one; each gets its own answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from wooodoo.audit import AuditStore, Delivery
from wooodoo.audit.group_commit import GroupCommit
from wooodoo.audit.inbox import add_many


class SlowDisk:
    """``write_many`` that takes a while per commit and remembers each batch."""

    def __init__(self, seconds: float = 0.02, fail_on: int | None = None) -> None:
        self.seconds = seconds
        self.fail_on = fail_on
        self.batches: list[list[int]] = []
        self.lock = threading.Lock()

    def write_many(self, items: Sequence[int]) -> list[int]:
        time.sleep(self.seconds)
        with self.lock:
            self.batches.append(list(items))
        if self.fail_on is not None and self.fail_on in items:
            raise OSError("disk full")
        return [i * 10 for i in items]


def test_each_caller_gets_its_own_result_and_callers_share_commits() -> None:
    disk = SlowDisk()
    group: GroupCommit[int, int] = GroupCommit(disk.write_many)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(group.add, range(200)))
    assert results == [i * 10 for i in range(200)]
    written = [i for batch in disk.batches for i in batch]
    assert sorted(written) == list(range(200))  # each exactly once
    assert len(disk.batches) < 100  # 200 records, 20 at a time: far fewer commits than records


def test_a_batch_is_never_larger_than_the_limit() -> None:
    disk = SlowDisk()
    group: GroupCommit[int, int] = GroupCommit(disk.write_many, limit=3)
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(group.add, range(60)))
    assert max(len(b) for b in disk.batches) <= 3


def test_a_failed_commit_fails_every_record_in_it_and_no_other() -> None:
    disk = SlowDisk(seconds=0.05, fail_on=7)
    group: GroupCommit[int, int] = GroupCommit(disk.write_many)
    outcomes: dict[int, object] = {}

    def add(i: int) -> None:
        try:
            outcomes[i] = group.add(i)
        except OSError as exc:
            outcomes[i] = exc

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(add, range(30)))
    failed_batch = next(b for b in disk.batches if 7 in b)
    for i in range(30):
        if i in failed_batch:
            assert isinstance(outcomes[i], OSError)
        else:
            assert outcomes[i] == i * 10
    with pytest.raises(OSError, match="disk full"):
        group.add(7)  # alone in its commit now: it still fails, the group still works
    assert group.add(8) == 80


def test_the_inbox_keeps_a_delivery_once_within_one_commit(tmp_path: Path) -> None:
    d = Delivery("acme", "d1", "order.updated", "42", "2026-11-26T10:00:00", '{"id": 42}')
    again = Delivery("acme", "d2", "order.created", "42", "2026-11-26T10:00:00", '{"id": 42}')
    other = Delivery("acme", "d3", "order.updated", "43", "2026-11-26T10:00:00", '{"id": 43}')
    with AuditStore(tmp_path / "a.sqlite3") as store:
        assert add_many(store.db, [d, d, again, other]) == [True, False, False, True]
        assert [i.delivery_id for i in store.inbox_pending("acme")] == ["d1", "d3"]


def test_deliveries_kept_from_many_threads_are_each_kept_once(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.sqlite3", durable=True) as store:
        deliveries = [
            Delivery("acme", f"d{i % 150}", "order.updated", str(i % 150), None, "{}")
            for i in range(300)
        ]
        with ThreadPoolExecutor(max_workers=16) as pool:
            kept = list(pool.map(store.inbox_add, deliveries))
        assert sum(kept) == 150  # every second one repeats a delivery id
        assert len(store.inbox_pending("acme", limit=1000)) == 150


def test_the_receiver_s_connection_leaves_checkpoints_to_the_others(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with AuditStore(path, durable=True, checkpoints=False) as receiver, AuditStore(path) as worker:
        assert receiver.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        assert worker.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        for i in range(50):
            receiver.inbox_add(Delivery("acme", f"d{i}", "order.updated", str(i), None, "{}"))
        assert len(worker.inbox_pending("acme", limit=100)) == 50  # committed, visible to all
