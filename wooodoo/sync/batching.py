"""Orders of several pages gathered into Odoo batches of ``sync.batch_size`` invoices.

A page of 100 orders holds fewer than 100 to invoice (others wait for payment, or were invoiced
before), and every Odoo batch costs the same handful of calls whatever its size: batches are
cut by the orders that need Odoo, across page boundaries. A page's cursor may be saved once all
its orders went through a batch, so each cut carries the cursor of the newest page it
completes. A cut never holds two versions of one order (an order modified while paging comes
again): the second waits for the next cut. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

HELD_PAGES = 5  # orders held waiting for a full batch: at most this many batches' worth


class HasId(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=HasId)  # an order
C = TypeVar("C")  # a page's cursor, as the caller saves it


@dataclass(frozen=True)
class Cut(Generic[R, C]):
    """One batch's orders and the cursor it completes (None: no page ends in it)."""

    orders: list[R]
    cursor: C | None


@dataclass
class _Mark(Generic[C]):
    end: int  # the page's orders end before this index of ``pending``
    cursor: C | None


@dataclass
class Gather(Generic[R, C]):
    """Cuts pages into batches of at most ``size`` orders that ``wants_odoo``."""

    size: int
    wants_odoo: Callable[[R], bool]
    _pending: list[R] = field(default_factory=list)
    _marks: list[_Mark[C]] = field(default_factory=list)

    def add(self, orders: Sequence[R], cursor: C | None) -> Iterator[Cut[R, C]]:
        """A page's orders; the batches now full (a page without orders completes at once)."""
        self._pending.extend(orders)
        self._marks.append(_Mark(len(self._pending), cursor))
        while (end := self._full_end()) is not None:
            yield self._cut(end)
        if not self._pending and self._marks:
            yield self._cut(0)

    def finish(self) -> Iterator[Cut[R, C]]:
        """What is left, once there are no more pages."""
        while self._pending or self._marks:
            yield self._cut(self._unique_end(len(self._pending)))

    def _full_end(self) -> int | None:
        wanted = 0
        for n, order in enumerate(self._pending):
            wanted += self.wants_odoo(order)
            if wanted >= self.size:
                return self._unique_end(n + 1)
        if len(self._pending) >= self.size * HELD_PAGES:
            return self._unique_end(len(self._pending))
        return None

    def _unique_end(self, end: int) -> int:
        """``end``, or earlier: where an order comes a second time (at least one order)."""
        seen: set[int] = set()
        for n, order in enumerate(self._pending[:end]):
            if order.id in seen:
                return n
            seen.add(order.id)
        return end

    def _cut(self, end: int) -> Cut[R, C]:
        orders, self._pending = self._pending[:end], self._pending[end:]
        cursor: C | None = None
        while self._marks and self._marks[0].end <= end:
            mark = self._marks.pop(0)
            cursor = mark.cursor if mark.cursor is not None else cursor
        for mark in self._marks:
            mark.end -= end
        return Cut(orders, cursor)
