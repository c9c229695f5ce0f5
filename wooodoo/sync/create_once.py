"""Creating a batch in Odoo exactly once: isolate refused records, adopt what a lost call made."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from wooodoo.errors import NotProcessedError, OdooRecordError, TimedOutError, TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)

CREATE_ATTEMPTS = 4


@dataclass(frozen=True)
class CommitWait:
    """How long to wait for the records of a create whose answer was lost.

    Odoo finishes a call whose client timed out or lost the connection, and commits it
    seconds later (a create of 100 invoices takes a real Odoo 10-15 s). Sending the create
    again before it lands makes every record twice. So the keys are looked up, at growing
    intervals, until the lost call's records show up or ``seconds`` have passed. The engine
    waits as long as the Odoo timeout (at least 30 s): a call that outlived our patience
    once has had that long to run already, and Odoo's own default limit for a request
    (``limit_time_real``) is 120 s.
    """

    seconds: float = 120.0
    # After a dropped connection or a 5xx the call has most likely ended, committed or not:
    # a short look is enough, and a late twin is still caught before posting and by the sweep.
    seconds_unless_timed_out: float = 3.0
    first_pause: float = 0.5
    longest_pause: float = 10.0
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Created(Generic[T]):
    """What became of a batch: made (item, id), refused (item, reason), and whether in doubt."""

    made: list[tuple[T, int]] = field(default_factory=list)
    refused: list[tuple[T, str]] = field(default_factory=list)
    # a lost call's records did not show up in time and were created again: a late commit
    # may still add twins, which the next run's sweep removes
    unsure: bool = False


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


def refused_of(ids: Sequence[int], call: Callable[[list[int]], object]) -> dict[int, str]:
    """Call once for all ``ids``; when Odoo refuses the call, halve it to find the records it
    refuses (a refused call changed nothing). The refused ids, with Odoo's reasons."""
    if not ids:
        return {}
    try:
        call(list(ids))
    except OdooRecordError as exc:
        if len(ids) == 1:
            return {ids[0]: exc.message}
        mid = len(ids) // 2
        return {**refused_of(ids[:mid], call), **refused_of(ids[mid:], call)}
    return {}


def create_once(
    items: Sequence[T],
    key: Callable[[T], str],
    create: Callable[[list[T]], list[int]],
    find: Callable[[list[str]], Mapping[str, int]],
    wait: CommitWait | None = None,
) -> Created[T]:
    """``create_isolating``, safe against a call whose answer was lost.

    A transient failure (timeout, dropped connection, 5xx) may hide a call Odoo is still
    working on: its keys are looked up until they show up (``CommitWait``: long after a
    timeout, briefly otherwise), what Odoo has is adopted, and only the rest is created again.
    A call Odoo provably never saw (no connection, 429) is looked up once, without waiting.
    """
    wait = wait or CommitWait()
    made: list[tuple[T, int]] = []
    pending = list(items)
    unsure = False
    sent: list[T] = []  # the items of the call in flight

    def tracked(batch: list[T]) -> list[int]:
        sent[:] = batch
        return create(batch)

    for attempt in range(CREATE_ATTEMPTS):
        try:
            ok, bad = create_isolating(pending, tracked)
        except TransientError as exc:
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            lost = [] if isinstance(exc, NotProcessedError) else [key(i) for i in sent]
            patience = (
                wait.seconds if isinstance(exc, TimedOutError) else wait.seconds_unless_timed_out
            )
            asked, keys = time.monotonic(), [key(i) for i in pending]
            found = _await_keys(keys, lost, find, wait, patience)
            found = _after_retry_after(exc, asked, keys, found, find, wait)
            unsure = unsure or any(k not in found for k in lost)
            made += [(item, found[key(item)]) for item in pending if key(item) in found]
            pending = [item for item in pending if key(item) not in found]
            if not pending:
                break
            continue
        return Created(made + ok, bad, unsure)
    return Created(made, [], unsure)


def _after_retry_after(
    exc: TransientError,
    since: float,
    keys: list[str],
    found: Mapping[str, int],
    find: Callable[[list[str]], Mapping[str, int]],
    wait: CommitWait,
) -> Mapping[str, int]:
    """A server that asked to be left alone (503 or 429 with ``Retry-After``) is, before the
    create goes again (at most ``wait.seconds``); what Odoo made meanwhile is adopted."""
    rest = min(exc.retry_after or 0.0, wait.seconds) - (time.monotonic() - since)
    if rest <= 0 or all(k in found for k in keys):
        return found
    log.info("Odoo asked to wait %.0f s before the create is sent again", rest)
    wait.sleep(rest)
    return find(keys)


def _await_keys(
    keys: list[str],
    lost: list[str],
    find: Callable[[list[str]], Mapping[str, int]],
    wait: CommitWait,
    patience: float,
) -> Mapping[str, int]:
    """Look ``keys`` up until every ``lost`` key is found or ``patience`` seconds have passed."""
    deadline = time.monotonic() + patience
    pause = wait.first_pause
    found = find(keys)
    while any(k not in found for k in lost) and time.monotonic() < deadline:
        log.info(
            "waiting for %d record(s) of a lost create to show up in Odoo", len(lost) - len(found)
        )
        wait.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, wait.longest_pause)
        found = find(keys)
    return found
