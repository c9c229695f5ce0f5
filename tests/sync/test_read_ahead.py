"""Pages read ahead in a thread: order, errors where the page would have been, early stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar

import pytest

from wooodoo.sync.read_ahead import read_ahead


def test_items_come_in_order_and_the_next_is_read_while_the_caller_works() -> None:
    read: list[int] = []
    got: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(5):
            read.append(n)
            yield n

    with read_ahead(pages(), ahead=1) as items:
        for item in items:
            deadline = time.monotonic() + 5
            while len(read) < min(item + 2, 5) and time.monotonic() < deadline:
                time.sleep(0.01)  # the reader goes on while the caller "writes to Odoo"
            got.append(item)
            assert len(read) == min(item + 2, 5)  # exactly one ahead, never more
    assert got == [0, 1, 2, 3, 4]


def test_an_error_of_the_reader_is_raised_where_its_page_would_be() -> None:
    def pages() -> Iterator[int]:
        yield 1
        raise ValueError("page 2 is not JSON")

    got: list[int] = []
    with pytest.raises(ValueError, match="page 2"), read_ahead(pages()) as items:
        got.extend(items)
    assert got == [1]


def test_stopping_early_stops_the_reader_and_closes_the_pages() -> None:
    closed = threading.Event()

    def pages() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    with read_ahead(pages(), ahead=2) as items:
        for item in items:
            if item == 3:
                break
    assert closed.wait(5)
    assert not any(t.name == "wooodoo-read-ahead" and t.is_alive() for t in threading.enumerate())


def test_the_reader_runs_in_the_callers_context() -> None:
    """Its log lines (a page read again after a 503) name the caller's tenant and run."""
    tenant: ContextVar[str | None] = ContextVar("tenant", default=None)

    def pages() -> Iterator[str | None]:
        yield tenant.get()

    token = tenant.set("shop")
    try:
        with read_ahead(pages()) as items:
            assert list(items) == ["shop"]
    finally:
        tenant.reset(token)
