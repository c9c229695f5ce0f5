"""Creating a batch in Odoo exactly once: isolate refused records, adopt what a lost call made."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from wooodoo.errors import OdooRecordError, TransientError

T = TypeVar("T")

CREATE_ATTEMPTS = 4


def create_isolating(
    items: Sequence[T], create: Callable[[list[T]], list[int]]
) -> tuple[list[tuple[T, int]], list[tuple[T, str]]]:
    """Create all items in one call; on a record error split the batch to isolate the culprits.

    Odoo's ``create`` is all-or-nothing, so a failing call created nothing and halves can be
    tried again safely.
    """
    if not items:
        return [], []
    try:
        ids = create(list(items))
    except OdooRecordError as exc:
        if len(items) == 1:
            return [], [(items[0], exc.message)]
        mid = len(items) // 2
        ok1, bad1 = create_isolating(items[:mid], create)
        ok2, bad2 = create_isolating(items[mid:], create)
        return ok1 + ok2, bad1 + bad2
    return list(zip(items, ids, strict=True)), []


def create_once(
    items: Sequence[T],
    key: Callable[[T], str],
    create: Callable[[list[T]], list[int]],
    find: Callable[[list[str]], Mapping[str, int]],
) -> tuple[list[tuple[T, int]], list[tuple[T, str]]]:
    """``create_isolating``, safe against a call whose answer was lost.

    A transient failure (dropped connection, timeout, 5xx) may hide a committed call: before
    trying again, the idempotency keys of the pending items are looked up and what Odoo
    already has is adopted, so nothing is ever created twice.
    """
    created: list[tuple[T, int]] = []
    pending = list(items)
    for attempt in range(CREATE_ATTEMPTS):
        try:
            ok, bad = create_isolating(pending, create)
        except TransientError:
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            found = find([key(item) for item in pending])
            created += [(item, found[key(item)]) for item in pending if key(item) in found]
            pending = [item for item in pending if key(item) not in found]
            if not pending:
                break
            continue
        return created + ok, bad
    return created, []
