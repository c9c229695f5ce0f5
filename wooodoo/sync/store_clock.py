"""A store clock set back, seen by comparing its answers' ``Date`` with ours between runs.

The order cursor is the store's own time (the newest ``date_modified`` read), and a run starts
at it minus ``sync.overlap_seconds``. When the store's clock is set back further than that (an
NTP step, a host moved to a machine whose clock is behind), what it saves afterwards carries
earlier times than the cursor and would never be read. Each run keeps the store's time from
its latest answer with ours at that moment; the next run expects the store to have moved on
as much as we did. If it is behind by more than ``TOLERANCE``, the walk is done again from
where the store's new clock could have stamped anything since. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

CURSOR = "store_clock"  # "<store time>|<our time>" of the latest answer, ISO 8601
TOLERANCE = timedelta(minutes=1)  # Date has whole seconds; clocks drift a few a day


def clock_text(clock: tuple[datetime, datetime]) -> str:
    store, ours = clock
    return f"{store.isoformat()}|{ours.isoformat()}"


def set_back(saved: str | None, now: tuple[datetime, datetime] | None) -> timedelta | None:
    """How far the store's clock went back since ``saved`` (None: not, or cannot tell)."""
    if not saved or now is None:
        return None
    try:
        store_text, ours_text = saved.split("|")
        store, ours = datetime.fromisoformat(store_text), datetime.fromisoformat(ours_text)
        jump = store + (now[1] - ours) - now[0]
    except (ValueError, TypeError):
        return None  # a cursor from elsewhere: start afresh
    return jump if jump > TOLERANCE else None


def walk_again_from(saved: str, jump: timedelta, start: datetime, overlap: timedelta) -> datetime:
    """Where to read again: the earliest time the store's new clock can have put on a change
    since the last run (its time then, moved back by the jump), minus the overlap."""
    store = datetime.fromisoformat(saved.split("|")[0])
    return min(start, store - jump - overlap)
