"""The modified-date cursor alone: never skips, never repeats a version, never loops."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.woo.helpers import START
from wooodoo.woo.pagination import ModifiedCursor, PageRequest, PaginationError, woo_utc


class Sim:
    """A cursor against an in-memory store of {id: second after START}.

    ``mods[k]``: ids saved again just before request k, stamped with the store's clock,
    which moves ``ticks[k]`` seconds (default 1) after each request. Ties within a second
    come in random order, or by descending id with ``desc_ties`` (the worst case for a
    re-read of the first page).
    """

    def __init__(self, stamps: list[int], per_page: int, seed: int = 0) -> None:
        self.store = dict(enumerate(stamps, start=1))
        self.cursor = ModifiedCursor(start=START - timedelta(seconds=1), per_page=per_page)
        self.rng = random.Random(seed)
        self.now = max(stamps, default=0) + 1
        self.desc_ties = False
        self.requests: list[PageRequest] = []

    def run(
        self,
        mods: Sequence[Sequence[int]] = (),
        ticks: Sequence[int] = (),
    ) -> list[tuple[int, int]]:
        got: list[tuple[int, int]] = []
        for step in range(2000):
            req = self.cursor.next_request()
            if req is None:
                return got
            self.requests.append(req)
            for oid in mods[step] if step < len(mods) else []:
                if oid in self.store:
                    self.store[oid] = self.now
            got += self.answer(req)
            self.now += ticks[step] if step < len(ticks) else 1
        raise AssertionError("the walk did not end")

    def answer(self, req: PageRequest) -> list[tuple[int, int]]:
        def sec(d: datetime) -> float:
            return (d - START).total_seconds()

        hits = [
            (oid, t)
            for oid, t in self.store.items()
            if t > sec(req.after) and (req.before is None or t < sec(req.before))
        ]
        if req.orderby == "id":
            hits.sort()
        elif self.desc_ties:
            hits.sort(key=lambda h: (h[1], -h[0]))
        else:
            hits.sort(key=lambda h: (h[1], self.rng.random()))
        n = self.cursor.per_page
        page = hits[(req.page - 1) * n : req.page * n]
        raw = [
            {"id": i, "date_modified_gmt": woo_utc(START + timedelta(seconds=t))} for i, t in page
        ]
        clock = START + timedelta(seconds=self.now)
        fresh = self.cursor.accept(raw, len(hits), clock)
        return [(r["id"], seconds(r)) for r in fresh]  # type: ignore[index]


def seconds(raw: Any) -> int:
    return int(
        (datetime.fromisoformat(raw["date_modified_gmt"] + "+00:00") - START).total_seconds()
    )


@settings(max_examples=300, deadline=None)
@given(
    stamps=st.lists(st.integers(0, 6), max_size=60),
    per_page=st.integers(1, 7),
    mods=st.lists(st.lists(st.integers(1, 60), max_size=3), max_size=12),
    ticks=st.lists(st.integers(0, 1), max_size=40),
    seed=st.integers(0, 2**16),
)
def test_cursor_never_skips_never_repeats(
    stamps: list[int], per_page: int, mods: list[list[int]], ticks: list[int], seed: int
) -> None:
    sim = Sim(stamps, per_page, seed)
    got = sim.run(mods, ticks)
    assert len(got) == len(set(got)), "a version came twice"
    end = (sim.cursor.cursor - START).total_seconds()
    missing = set(sim.store.items()) - set(got)
    if sim.cursor.stopped_in_running_second:
        # Paused in a second that was not over: what is left is at or after the cursor.
        assert all(t >= end for _, t in missing)
    else:
        assert not missing, "an order's last version was skipped"


def test_bucket_is_read_again_when_an_order_leaves_it() -> None:
    sim = Sim([5] * 7, per_page=2)
    sim.desc_ties = True
    # Request 2 asks for bucket page 2; order 1 (read on page 1) leaves the second first,
    # shifting order 3 onto page 1 where a plain page walk would never look again.
    got = sim.run(mods=[[], [], [1]])
    assert {i for i, t in got if t == 5} == set(range(1, 8))
    assert sum(1 for r in sim.requests if r.orderby == "id" and r.page == 1) == 2


def test_walk_pauses_in_a_second_that_is_not_over() -> None:
    sim = Sim([5] * 7 + [3], per_page=2)
    sim.now = 5  # the store's clock is still in second 5
    got = sim.run(ticks=[0] * 20)
    assert sim.cursor.stopped_in_running_second
    assert sim.cursor.cursor == START + timedelta(seconds=5)
    assert sorted(got) == sorted(sim.store.items())


def test_walk_goes_past_a_second_that_is_over() -> None:
    sim = Sim([5] * 7 + [9, 9], per_page=2)
    got = sim.run()
    assert not sim.cursor.stopped_in_running_second
    assert sorted(got) == sorted(sim.store.items())
    assert sim.requests[-1].orderby == "modified"


def feed(
    cursor: ModifiedCursor, page: Callable[[int], list[dict[str, Any]]], total: int | None
) -> None:
    """Answer up to 50 requests with ``page(n)``."""
    for n in range(50):
        assert cursor.next_request() is not None
        cursor.accept(page(n), total)


def test_cursor_refuses_a_page_outside_its_bounds() -> None:
    cursor = ModifiedCursor(start=START, per_page=2)
    cursor.next_request()
    with pytest.raises(PaginationError):
        cursor.accept([{"id": 1, "date_modified_gmt": woo_utc(START)}], 1)


def test_cursor_stops_a_store_that_repeats_bucket_pages() -> None:
    t = woo_utc(START + timedelta(seconds=5))
    page = [{"id": i, "date_modified_gmt": t} for i in (1, 2)]
    cursor = ModifiedCursor(start=START, per_page=2)
    with pytest.raises(PaginationError, match="repeats"):
        feed(cursor, lambda n: page, None)  # no X-WP-Total, the same page whatever is asked


def test_cursor_page_budget_comes_from_the_store_total() -> None:
    cursor = ModifiedCursor(start=START, per_page=2, max_pages=3)
    with pytest.raises(PaginationError, match="3 pages"):
        feed(
            cursor,
            lambda n: [
                {"id": i, "date_modified_gmt": woo_utc(START + timedelta(seconds=i))}
                for i in (2 * n + 1, 2 * n + 2)
            ],
            100,
        )


def test_naive_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        ModifiedCursor(start=datetime(2026, 1, 1), per_page=5)
