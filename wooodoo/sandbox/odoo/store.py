"""Rows in memory per model, id sequences, the undo log that makes one call all-or-nothing, and
the indexes kept over the rows (see ``indexes.py``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from wooodoo.sandbox.odoo.indexes import Index

Row = dict[str, Any]
IndexT = TypeVar("IndexT", bound=Index)


class Store:
    """Tables of rows plus an undo log, so that one RPC call is all-or-nothing.

    Ids taken by a call that fails are not given back, like a PostgreSQL sequence.
    Every change of a table goes through ``_put`` and ``_drop``, which keep the indexes and
    each row's place in its table (the order a full scan meets the rows in) up to date.
    """

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, Row]] = {}
        self.sequences: dict[str, int] = {}
        self._undo: list[tuple[str, int, Row | None]] | None = None
        self._places: dict[str, dict[int, int]] = {}
        self._counter = itertools.count()
        self._indexes: dict[str, dict[Any, Index]] = {}

    def table(self, model: str) -> dict[int, Row]:
        return self.tables.setdefault(model, {})

    def next_id(self, model: str) -> int:
        self.sequences[model] = self.sequences.get(model, 0) + 1
        return self.sequences[model]

    # ----- indexes
    def index(self, model: str, name: Any, build: Callable[[], IndexT]) -> IndexT:
        """The index ``name`` of ``model``, built from its rows on first use, then kept."""
        indexes = self._indexes.setdefault(model, {})
        found = indexes.get(name)
        if found is None:
            found = build()
            for rid, row in self.table(model).items():
                found.add(rid, row)
            indexes[name] = found
        return found  # type: ignore[return-value]

    def in_table_order(self, model: str, ids: Iterable[int]) -> list[Row]:
        """The rows of ``ids`` in the order a scan of the table meets them."""
        table, places = self.table(model), self._places.setdefault(model, {})
        return [table[rid] for rid in sorted(ids, key=places.__getitem__)]

    def _put(self, model: str, rid: int, row: Row) -> None:
        table = self.table(model)
        old = table.get(rid)
        if old is None:
            self._places.setdefault(model, {})[rid] = next(self._counter)
        table[rid] = row
        for index in self._indexes.get(model, {}).values():
            if old is not None:
                index.discard(rid, old)
            index.add(rid, row)

    def _drop(self, model: str, rid: int) -> None:
        old = self.table(model).pop(rid, None)
        if old is None:
            return
        self._places.setdefault(model, {}).pop(rid, None)
        for index in self._indexes.get(model, {}).values():
            index.discard(rid, old)

    # ----- changes
    def _remember(self, model: str, rid: int) -> None:
        if self._undo is not None:
            old = self.table(model).get(rid)
            self._undo.append((model, rid, dict(old) if old is not None else None))

    def insert(self, model: str, rid: int, row: Row) -> None:
        self._remember(model, rid)
        self._put(model, rid, row)

    def update(self, model: str, rid: int, changes: Row) -> None:
        self._remember(model, rid)
        row = self.table(model)[rid]
        touched = [
            index
            for index in self._indexes.get(model, {}).values()
            if any(name in changes for name in index.fields)
        ]
        for index in touched:
            index.discard(rid, row)
        row.update(changes)
        for index in touched:
            index.add(rid, row)

    def delete(self, model: str, rid: int) -> None:
        self._remember(model, rid)
        self._drop(model, rid)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        outer = self._undo is not None
        if not outer:
            self._undo = []
        try:
            yield
        except BaseException:
            if not outer:
                for model, rid, old in reversed(self._undo or []):
                    if old is None:
                        self._drop(model, rid)
                    else:
                        self._put(model, rid, old)
            raise
        finally:
            if not outer:
                self._undo = None
