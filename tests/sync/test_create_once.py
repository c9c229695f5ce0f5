"""Creating a batch exactly once, tested directly: isolate refusals, adopt what a lost call made,
and wait for a call Odoo may still be running before sending it again."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from wooodoo.errors import NotProcessedError, OdooRecordError, TimedOutError, TransientError
from wooodoo.sync.create_once import CommitWait, create_once


class Odoo:
    """Records by key; a call can fail before, or after, or long after its commit."""

    def __init__(self) -> None:
        self.records: dict[str, int] = {}
        self.calls: list[list[str]] = []
        self.finds = 0
        self.bad: set[str] = set()
        self.fail_next: list[Exception] = []
        self.late: list[tuple[int, list[str]]] = []  # (finds until it lands, keys)
        self.commit_before_failing = False

    def create(self, keys: list[str]) -> list[int]:
        self.calls.append(list(keys))
        if self.bad & set(keys):
            raise OdooRecordError("refused")
        if self.fail_next:
            exc = self.fail_next.pop(0)
            if isinstance(exc, TimedOutError) and self.late is not None:
                self.late.append((3, list(keys)))  # visible to the third look-up
            elif self.commit_before_failing:
                self._commit(keys)
            raise exc
        return self._commit(keys)

    def _commit(self, keys: list[str]) -> list[int]:
        ids = []
        for key in keys:
            self.records[key] = len(self.records) + 100
            ids.append(self.records[key])
        return ids

    def find(self, keys: list[str]) -> Mapping[str, int]:
        self.finds += 1
        still = []
        for left, pending in self.late:
            if left <= 1:
                self._commit(pending)
            else:
                still.append((left - 1, pending))
        self.late = still
        return {k: v for k, v in self.records.items() if k in keys}


def no_sleep() -> CommitWait:
    return CommitWait(seconds=60, seconds_unless_timed_out=0, sleep=lambda s: None)


def run(odoo: Odoo, keys: list[str], wait: CommitWait | None = None):  # type: ignore[no-untyped-def]
    return create_once(keys, lambda k: k, odoo.create, odoo.find, wait or no_sleep())


def test_a_refused_record_is_isolated_and_the_rest_is_made_in_few_calls() -> None:
    odoo = Odoo()
    odoo.bad = {"k5"}
    done = run(odoo, [f"k{i}" for i in range(8)])
    assert sorted(k for k, _ in done.made) == [f"k{i}" for i in range(8) if i != 5]
    assert done.refused == [("k5", "refused")]
    assert len(odoo.calls) <= 1 + 2 * 3  # halving: at most two calls per level


def test_an_answer_lost_after_the_commit_is_adopted_not_made_again() -> None:
    odoo = Odoo()
    odoo.commit_before_failing = True
    odoo.fail_next = [TransientError("connection dropped")]
    done = run(odoo, ["a", "b"])
    assert len(odoo.calls) == 1
    assert dict(done.made) == {"a": 100, "b": 101}
    assert not done.unsure


def test_a_timed_out_create_is_awaited_until_its_records_show_up() -> None:
    odoo = Odoo()
    odoo.fail_next = [TimedOutError("no answer in time")]
    pauses: list[float] = []
    wait = CommitWait(seconds=60, sleep=pauses.append)
    done = run(odoo, ["a", "b"], wait)
    assert len(odoo.calls) == 1  # never sent again: it landed while we looked
    assert dict(done.made) == {"a": 100, "b": 101}
    assert pauses == [0.5, 1.0]
    assert not done.unsure


def test_without_the_wait_a_timed_out_create_would_be_made_twice() -> None:
    """What the wait prevents: the same lost call, looked up only once."""
    odoo = Odoo()
    odoo.fail_next = [TimedOutError("no answer in time")]
    done = run(odoo, ["a"], CommitWait(seconds=0, sleep=lambda s: None))
    assert len(odoo.calls) == 2
    assert done.unsure  # the run says a late twin may follow, for the next sweep


def test_a_call_odoo_never_saw_is_sent_again_without_waiting() -> None:
    odoo = Odoo()
    odoo.fail_next = [NotProcessedError("could not connect")]
    pauses: list[float] = []
    done = run(odoo, ["a"], CommitWait(seconds=60, sleep=pauses.append))
    assert pauses == []
    assert len(odoo.calls) == 2
    assert dict(done.made) == {"a": 100}
    assert not done.unsure


def test_the_last_transient_failure_reaches_the_caller() -> None:
    odoo = Odoo()
    odoo.fail_next = [NotProcessedError("down")] * 4
    with pytest.raises(NotProcessedError):
        run(odoo, ["a"])


def test_a_create_answered_with_retry_after_goes_again_only_after_that_wait() -> None:
    odoo = Odoo()
    odoo.fail_next = [TransientError("503 Service Unavailable", retry_after=7)]
    slept: list[float] = []
    wait = CommitWait(seconds=60, seconds_unless_timed_out=0, sleep=slept.append)
    done = run(odoo, ["a", "b"], wait)
    assert sorted(k for k, _ in done.made) == ["a", "b"]
    assert len(odoo.calls) == 2
    assert sum(slept) == pytest.approx(7, abs=0.5)  # the announced wait, not the 3 s look
    assert odoo.finds == 2  # looked up after the failure and again after the wait


def test_a_retry_after_beyond_the_commit_wait_is_cut_to_it() -> None:
    odoo = Odoo()
    odoo.fail_next = [TransientError("429 Too Many Requests", retry_after=3600)]
    slept: list[float] = []
    wait = CommitWait(seconds=20, seconds_unless_timed_out=0, sleep=slept.append)
    run(odoo, ["a"], wait)
    assert max(slept) <= 20
