"""Which document stays when Odoo holds two on one key, and which runs leave twins behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wooodoo.sync.twins import CLOCK_SKEW, LATE_COMMIT_HORIZON, Doc, doubt, judge

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def test_a_posted_document_stays_and_its_drafts_go() -> None:
    verdict = judge([Doc(7, "k", posted=False), Doc(9, "k", posted=True), Doc(3, "k")])
    assert verdict.keep == {"k": 9}
    assert [d.id for d in verdict.remove] == [3, 7]
    assert verdict.conflicts == {}


def test_only_drafts_keep_the_oldest_unless_the_audit_links_one() -> None:
    assert judge([Doc(8, "k"), Doc(5, "k")]).keep == {"k": 5}
    linked = judge([Doc(8, "k"), Doc(5, "k")], {"k": 8})
    assert linked.keep == {"k": 8}
    assert [d.id for d in linked.remove] == [5]


def test_two_posted_documents_are_a_conflict_and_neither_is_removed() -> None:
    verdict = judge([Doc(4, "k", True), Doc(6, "k", True), Doc(5, "k")])
    assert verdict.conflicts == {"k": (4, 6)}
    assert [d.id for d in verdict.remove] == [5]  # the draft twin still goes


def test_a_link_to_a_draft_loses_to_a_posted_twin() -> None:
    verdict = judge([Doc(4, "k"), Doc(6, "k", True)], {"k": 4})
    assert verdict.keep == {"k": 6}
    assert [d.id for d in verdict.remove] == [4]


@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.sampled_from("abc"), st.booleans()),
        unique_by=lambda t: t[0],
    )
)
def test_one_document_per_key_stays_and_nothing_posted_is_ever_removed(
    rows: list[tuple[int, str, bool]],
) -> None:
    docs = [Doc(i, k, p) for i, k, p in rows]
    verdict = judge(docs)
    removed = {d.id for d in verdict.remove}
    assert not any(d.posted for d in verdict.remove)
    assert set(verdict.keep) == {d.key for d in docs}
    for key, kept in verdict.keep.items():
        mine = [d for d in docs if d.key == key]
        assert kept not in removed
        left = [d for d in mine if d.id not in removed]
        # what remains is the kept one, plus posted ones only when the key is a conflict
        assert len(left) == 1 or key in verdict.conflicts


@dataclass
class FakeRun:
    id: int
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "ok"
    stats: dict[str, int] = field(default_factory=dict)


def test_clean_runs_leave_nothing_in_doubt() -> None:
    runs = [
        FakeRun(1, T0, T0 + timedelta(minutes=1)),
        FakeRun(2, T0 + timedelta(minutes=5), status="running"),  # the current one
    ]
    todo = doubt(runs, 2, T0 + timedelta(minutes=5), 0)
    assert todo.since is None
    assert todo.settled_through == 1


def test_a_killed_run_is_swept_until_its_late_commits_are_surely_in() -> None:
    killed = FakeRun(1, T0, status="running")
    after = FakeRun(2, T0 + timedelta(minutes=5), T0 + timedelta(minutes=6))
    current = FakeRun(3, T0 + timedelta(minutes=10), status="running")
    soon = doubt([killed, after, current], 3, current.started_at, 0)
    assert soon.since == T0 - CLOCK_SKEW
    assert soon.settled_through == 0  # run 1's calls may still commit
    late = T0 + timedelta(minutes=5) + LATE_COMMIT_HORIZON
    later = doubt([killed, after, current], 3, late, 0)
    assert later.since == T0 - CLOCK_SKEW  # this sweep still looks, then it is settled
    assert later.settled_through == 2


def test_a_run_that_sent_a_lost_create_again_is_in_doubt() -> None:
    unsure = FakeRun(4, T0, T0 + timedelta(minutes=2), stats={"in_doubt": 1})
    current = FakeRun(5, T0 + timedelta(minutes=3), status="running")
    todo = doubt([unsure, current], 5, current.started_at, 3)
    assert todo.since == T0 - CLOCK_SKEW
    assert todo.settled_through == 3
