"""Rows in memory per model, id sequences and the undo log that makes one call all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]


class Store:
    """Tables of rows plus an undo log, so that one RPC call is all-or-nothing.

    Ids taken by a call that fails are not given back, like a PostgreSQL sequence.
    """

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, Row]] = {}
        self.sequences: dict[str, int] = {}
        self._undo: list[tuple[str, int, Row | None]] | None = None

    def table(self, model: str) -> dict[int, Row]:
        return self.tables.setdefault(model, {})

    def next_id(self, model: str) -> int:
        self.sequences[model] = self.sequences.get(model, 0) + 1
        return self.sequences[model]

    def _remember(self, model: str, rid: int) -> None:
        if self._undo is not None:
            old = self.table(model).get(rid)
            self._undo.append((model, rid, dict(old) if old is not None else None))

    def insert(self, model: str, rid: int, row: Row) -> None:
        self._remember(model, rid)
        self.table(model)[rid] = row

    def update(self, model: str, rid: int, changes: Row) -> None:
        self._remember(model, rid)
        self.table(model)[rid].update(changes)

    def delete(self, model: str, rid: int) -> None:
        self._remember(model, rid)
        self.table(model).pop(rid, None)

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
                        self.table(model).pop(rid, None)
                    else:
                        self.table(model)[rid] = old
            raise
        finally:
            if not outer:
                self._undo = None
