"""Group commit: writes that arrive while one is being committed share the next commit.

A durable commit waits for the disk (an fsync). When many threads each keep one small record,
most of their time is that wait, one after another. Here each caller queues its record and
takes the write lock; whoever gets it first writes every record queued so far in one
transaction, and the others find theirs already written. Nobody returns before their record
is committed, and a failed commit fails every record that was in it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Slot(Generic[T, R]):
    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """``add(item)`` returns ``write_many``'s result for it once the batch it was in is committed.

    ``write_many`` gets the items in arrival order and returns one result per item, in order;
    it must commit before it returns (one transaction for the whole batch).
    """

    def __init__(self, write_many: Callable[[Sequence[T]], Sequence[R]], *, limit: int = 256):
        self.write_many = write_many
        self.limit = limit  # records per commit at most: a commit stays short
        self._queue: list[_Slot[T, R]] = []
        self._changed = threading.Condition()
        self._writing = False

    def add(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._changed:
            self._queue.append(slot)
        while True:
            with self._changed:
                while self._writing and not slot.done:
                    self._changed.wait()  # the commit in progress may hold ours
                if slot.done:
                    break
                self._writing = True
                batch, self._queue = self._queue[: self.limit], self._queue[self.limit :]
            self._write(batch)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]  # set together with done

    def _write(self, batch: list[_Slot[T, R]]) -> None:
        """Commit the batch outside the lock, so that more records can queue meanwhile."""
        results: Sequence[R] = ()
        error: BaseException | None = None
        try:
            results = self.write_many([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for {len(batch)} records")
        except BaseException as exc:  # every caller in the batch gets it, and only they
            error = exc
        with self._changed:
            for i, slot in enumerate(batch):
                slot.error = error
                slot.result = None if error is not None else results[i]
                slot.done = True
            self._writing = False
            self._changed.notify_all()
