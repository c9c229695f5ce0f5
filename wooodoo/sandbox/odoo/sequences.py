"""The numbers entries took in each sequence, so that numbering one reads no other entry.

A sequence is a journal and a prefix ending in ``/`` (``INV/2026/``); an entry is in it when its
name is the prefix followed by digits. The index keeps each sequence's numbers sorted.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable
from typing import Any

Row = dict[str, Any]
Chain = list[tuple[int, int]]  # (number, id), sorted


class SequenceIndex:
    """Entries by journal and prefix, with their numbers."""

    fields = ("journal_id", "name")

    def __init__(self) -> None:
        self._chains: dict[tuple[Hashable, str], Chain] = {}
        self._names: dict[Hashable, list[tuple[str, int]]] = {}  # every text name, sorted
        self.odd: set[int] = set()  # digits that are not a number (``²``): a scan raises

    @staticmethod
    def _place(row: Row) -> tuple[tuple[Hashable, str], str] | None:
        name = row.get("name")
        if not isinstance(name, str):
            return None
        head, slash, digits = name.rpartition("/")
        if not slash or not digits.isdigit():
            return None
        return (row.get("journal_id"), head + "/"), digits

    def add(self, rid: int, row: Row) -> None:
        name = row.get("name")
        if isinstance(name, str):
            bisect.insort(self._names.setdefault(row.get("journal_id"), []), (name, rid))
        place = self._place(row)
        if place is None:
            return
        try:
            number = int(place[1])
        except ValueError:
            self.odd.add(rid)
            return
        bisect.insort(self._chains.setdefault(place[0], []), (number, rid))

    def discard(self, rid: int, row: Row) -> None:
        name = row.get("name")
        names = self._names.get(row.get("journal_id"))
        if isinstance(name, str) and names:
            at = bisect.bisect_left(names, (name, rid))
            if at < len(names) and names[at] == (name, rid):
                del names[at]
        place = self._place(row)
        if place is None:
            return
        self.odd.discard(rid)
        chain = self._chains.get(place[0])
        if not chain:
            return
        try:
            number = int(place[1])
        except ValueError:
            return
        at = bisect.bisect_left(chain, (number, rid))
        if at < len(chain) and chain[at] == (number, rid):
            del chain[at]

    def highest(self, journal: Any, prefix: str, but: int | None = None) -> int | None:
        """The highest number in the sequence (0 when empty), not counting entry ``but``.

        None when the index cannot tell (a prefix without its ``/``, odd digits): scan then.
        """
        if self.odd or not prefix.endswith("/"):
            return None
        try:
            chain = self._chains.get((journal, prefix), [])
        except TypeError:
            return None
        return next((number for number, rid in reversed(chain) if rid != but), 0)

    def taken(self, journal: Any, prefix: str, but: int) -> bool | None:
        """Whether an entry of the journal but ``but`` has a name starting with ``prefix``.

        None when the journal cannot be looked up.
        """
        try:
            names = self._names.get(journal, [])
        except TypeError:
            return None
        at = bisect.bisect_left(names, (prefix, -1))
        # the names with the prefix come first, side by side; one of them may be ``but``
        return any(name.startswith(prefix) and rid != but for name, rid in names[at : at + 2])
