"""Two Odoo documents on one idempotency key: which one stays, which go (pure, no I/O).

Odoo finishes a call whose client has gone (killed, or timed out) and commits it seconds
later. A run that looked for the keys in between found nothing and created them again: a
twin. Twins are settled by one rule, for invoices, credit notes and partners alike:

- a key with one posted document keeps it; its drafts go;
- a key with only drafts keeps the one the audit links, else the oldest (lowest id);
- a key with two or more posted documents is a conflict for a person: its drafts still go,
  the posted ones stay, and the audit says so (posted documents are never deleted).

See docs/architecture.md ("Exactly once").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Protocol


@dataclass(frozen=True)
class Doc:
    """One Odoo document carrying an idempotency key."""

    id: int
    key: str
    posted: bool = False


@dataclass(frozen=True)
class Verdict:
    keep: dict[str, int] = field(default_factory=dict)  # key -> the document that stays
    remove: tuple[Doc, ...] = ()  # drafts that are twins of a kept document
    conflicts: dict[str, tuple[int, ...]] = field(default_factory=dict)  # key -> posted ids


def judge(docs: Iterable[Doc], linked: Mapping[str, int] | None = None) -> Verdict:
    """Settle every key of ``docs``; ``linked`` names the document the audit knows per key."""
    linked = linked or {}
    by_key: dict[str, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_key[doc.key].append(doc)
    keep: dict[str, int] = {}
    remove: list[Doc] = []
    conflicts: dict[str, tuple[int, ...]] = {}
    for key, group in by_key.items():
        posted = sorted(d.id for d in group if d.posted)
        candidates = posted or sorted(d.id for d in group)
        known = linked.get(key)
        kept = known if known in candidates else candidates[0]
        keep[key] = kept
        if len(posted) > 1:
            conflicts[key] = tuple(posted)
        remove += sorted((d for d in group if not d.posted and d.id != kept), key=lambda d: d.id)
    return Verdict(keep, tuple(remove), conflicts)


# ---------------------------------------------------------------- which runs are in doubt

# Longer than any call Odoo lets run (its default ``limit_time_real`` is 120 s; Odoo.sh cuts
# calls at about 15 minutes): a call that began this long ago has committed or died.
LATE_COMMIT_HORIZON = timedelta(hours=1)
# Odoo stamps ``create_date`` with its own clock, which may differ a little from ours.
CLOCK_SKEW = timedelta(minutes=15)


class RunLike(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def started_at(self) -> datetime: ...

    @property
    def finished_at(self) -> datetime | None: ...

    @property
    def status(self) -> str: ...

    @property
    def stats(self) -> Mapping[str, int]: ...


@dataclass(frozen=True)
class Doubt:
    since: datetime | None  # sweep what Odoo created since then; None: nothing is in doubt
    settled_through: int  # after this sweep, no run up to this id can leave a twin


def in_doubt(run: RunLike) -> bool:
    """Killed (still ``running``), or it sent a lost create again: Odoo may commit late."""
    return run.status == "running" or bool(run.stats.get("in_doubt"))


def doubt(runs: Sequence[RunLike], current: int, now: datetime, settled: int) -> Doubt:
    """What the run ``current`` must sweep, given the runs since the ``settled`` mark.

    A killed run's calls began before the next run started; a finished run's before it
    finished. Once ``LATE_COMMIT_HORIZON`` has passed since then, a sweep sees all of them.
    """
    earlier = [r for r in runs if r.id < current]
    doubtful = [r for r in earlier if in_doubt(r)]
    if not doubtful:
        return Doubt(None, max((r.id for r in earlier), default=settled))
    since = min(r.started_at for r in doubtful) - CLOCK_SKEW
    after = {r.id: nxt.started_at for r, nxt in pairwise(runs)}
    for run in earlier:
        if in_doubt(run):
            until = run.finished_at or after.get(run.id, now)
            if until + LATE_COMMIT_HORIZON > now:
                break
        settled = run.id
    return Doubt(since, settled)
