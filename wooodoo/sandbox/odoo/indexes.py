"""Indexes over a model's rows, so that a search reads the rows that can match, not all of them.

An index never decides a search: it gives *candidates*, a superset of the rows that can match
one domain leaf, and the whole domain is then tested on those rows only. So a key only has to
be equal for values the leaf may find equal; a value that has no key (an odd type, non-ASCII
text for a case-insensitive index) is kept aside and is a candidate for every look-up.

The store keeps every index it built up to date on insert, update, delete and rollback.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from wooodoo.sandbox.odoo.accounting import to_decimal

Row = dict[str, Any]


class Index(Protocol):
    """What the store keeps up to date: an index reads ``fields`` of each row."""

    @property
    def fields(self) -> tuple[str, ...]: ...

    def add(self, rid: int, row: Row) -> None: ...

    def discard(self, rid: int, row: Row) -> None: ...


@dataclass(frozen=True)
class Candidates:
    """Ids that may match, as a size known at once and the ids fetched when chosen."""

    estimate: int
    fetch: Callable[[], Collection[int]]


def decimal_key(value: Any) -> Decimal:
    """The key of a numeric value: numbers equal as Decimals share it (NaN and co. have none)."""
    number = to_decimal(value)
    if not number.is_finite():
        raise ValueError("no key for a value that is not finite")
    return number


def plain_key(value: Any) -> Hashable:
    """The key of a value compared with ``==``: itself, when it can be hashed."""
    hash(value)
    return value  # type: ignore[no-any-return]


def folded_key(value: Any) -> str:
    """The key of a value for an exact ``=like``/``=ilike``: its text lower-cased, ASCII only.

    Case-insensitive matching pairs some non-ASCII letters with ASCII ones (K and the Kelvin
    sign): such text gets no key and is a candidate for every look-up.
    """
    text = str(value) if value not in (False, None) else ""
    if not text.isascii():
        raise ValueError("no folded key for non-ASCII text")
    return text.lower()


class KeyIndex:
    """Ids by a key of one field's value; values without a key are candidates for any key."""

    def __init__(self, name: str, key: Callable[[Any], Hashable]) -> None:
        self.fields = (name,)
        self._name = name
        self._key = key
        self._ids: dict[Hashable, set[int]] = {}
        self._loose: set[int] = set()

    def _key_of(self, row: Row) -> tuple[bool, Hashable]:
        try:
            return True, self._key(row.get(self._name, False))
        except (TypeError, ValueError, ArithmeticError):
            return False, None

    def add(self, rid: int, row: Row) -> None:
        keyed, key = self._key_of(row)
        if keyed:
            self._ids.setdefault(key, set()).add(rid)
        else:
            self._loose.add(rid)

    def discard(self, rid: int, row: Row) -> None:
        keyed, key = self._key_of(row)
        if not keyed:
            self._loose.discard(rid)
            return
        ids = self._ids.get(key)
        if ids is not None:
            ids.discard(rid)
            if not ids:
                del self._ids[key]

    def lookup(self, keys: Iterable[Hashable]) -> Candidates:
        buckets = [self._ids[k] for k in set(keys) if k in self._ids]
        loose = self._loose

        def fetch() -> set[int]:
            return set(loose).union(*buckets)

        return Candidates(sum(map(len, buckets)) + len(loose), fetch)


@dataclass
class SortedIndex:
    """Ids of one field's text values in order, for ``<``, ``<=``, ``>``, ``>=`` on a string.

    False and None never compare; other values that are not text are candidates for any range.
    """

    name: str
    _entries: list[tuple[str, int]] = field(default_factory=list)
    _loose: set[int] = field(default_factory=set)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.name,)

    def add(self, rid: int, row: Row) -> None:
        value = row.get(self.name, False)
        if isinstance(value, str):
            bisect.insort(self._entries, (value, rid))
        elif value is not False and value is not None:
            self._loose.add(rid)

    def discard(self, rid: int, row: Row) -> None:
        value = row.get(self.name, False)
        if isinstance(value, str):
            at = bisect.bisect_left(self._entries, (value, rid))
            if at < len(self._entries) and self._entries[at] == (value, rid):
                del self._entries[at]
        else:
            self._loose.discard(rid)

    def range(self, op: str, bound: str) -> Candidates:
        entries = self._entries
        below = bisect.bisect_left if op in (">=", "<") else bisect.bisect_right
        at = below(entries, bound, key=lambda entry: entry[0])
        lo, hi = (at, len(entries)) if op in (">", ">=") else (0, at)
        loose = self._loose

        def fetch() -> list[int]:
            return [rid for _value, rid in entries[lo:hi]] + list(loose)

        return Candidates(hi - lo + len(loose), fetch)
